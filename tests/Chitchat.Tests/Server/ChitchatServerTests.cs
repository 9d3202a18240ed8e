using System.Net;
using Chitchat.State;
using Chitchat.Transport;
using Chitchat.Wire;
using Microsoft.Extensions.Logging;
using static Chitchat.Tests.Server.ServerTestSupport;

namespace Chitchat.Tests.Server;

/// <summary>Port of chitchat server.rs loop tests (TJ1–TJ6, TJ10, TJ11) over the in-memory transport.</summary>
public sealed class ChitchatServerTests
{
    // TJ1 test_syn
    [Fact]
    public async Task Gossip_ToRawPeer_PeerReceivesSynFromServerAddress()
    {
        var transport = NewTransport();
        var config = ChitchatConfig.ForTest(1112);
        var peerAddr = Loopback(1111);
        await using var peer = await transport.OpenAsync(peerAddr);
        await using var server = await ChitchatServer.SpawnChitchatAsync(config, null, transport);

        server.Gossip(peerAddr);

        var (from, syn) = await peer.ReceiveAsync<ChitchatMessage.Syn>();
        from.Should().Be(config.ChitchatId.GossipAdvertiseAddr);
        syn.ClusterId.Should().Be("default-cluster");
        syn.Digest.Count.Should().Be(1);
    }

    // TJ2 test_syn_ack
    [Fact]
    public async Task ReceiveSyn_FromSameCluster_RepliesSynAckFromServerAddress()
    {
        var transport = NewTransport();
        var config2 = ChitchatConfig.ForTest(2);
        await using var socket2 = await transport.OpenAsync(config2.ChitchatId.GossipAdvertiseAddr);
        var config1 = ChitchatConfig.ForTest(1);
        var chitchat2 = new ChitchatInstance(config2);
        await using var server = await ChitchatServer.SpawnChitchatAsync(config1, null, transport);

        await socket2.SendAsync(config1.ChitchatId.GossipAdvertiseAddr, chitchat2.CreateSynMessage());

        var (from, _) = await socket2.ReceiveAsync<ChitchatMessage.SynAck>();
        from.Should().Be(config1.ChitchatId.GossipAdvertiseAddr);
    }

    // TJ3 test_syn_bad_cluster
    [Fact]
    public async Task ReceiveSyn_FromOtherCluster_RepliesBadCluster()
    {
        var transport = NewTransport();
        var outsiderConfig = ChitchatConfig.ForTest(2224);
        outsiderConfig.ClusterId = "another-cluster";
        await using var outsiderSocket = await transport.OpenAsync(outsiderConfig.ChitchatId.GossipAdvertiseAddr);
        var outsider = new ChitchatInstance(outsiderConfig);
        var serverConfig = ChitchatConfig.ForTest(2223);
        await using var server = await ChitchatServer.SpawnChitchatAsync(serverConfig, null, transport);

        await outsiderSocket.SendAsync(serverConfig.ChitchatId.GossipAdvertiseAddr, outsider.CreateSynMessage());

        var (from, message, _) = await outsiderSocket.ReceiveAsync();
        from.Should().Be(serverConfig.ChitchatId.GossipAdvertiseAddr);
        message.Should().BeOfType<ChitchatMessage.BadCluster>();
    }

    // TJ4 test_seeding
    [Fact]
    public async Task Spawn_WithIpSeed_FirstRoundSendsSynToSeed()
    {
        var transport = NewTransport();
        var seedAddr = Loopback(5551);
        await using var seedSocket = await transport.OpenAsync(seedAddr);
        var clientConfig = ChitchatConfig.ForTest(5552);
        clientConfig.SeedNodes = [seedAddr.ToString()];
        await using var client = await ChitchatServer.SpawnChitchatAsync(clientConfig, null, transport);

        var (from, message, _) = await seedSocket.ReceiveAsync();

        from.Should().Be(clientConfig.ChitchatId.GossipAdvertiseAddr);
        message.Should().BeOfType<ChitchatMessage.Syn>();
    }

    // TJ5 test_heartbeat
    [Fact]
    public async Task GossipLoop_AfterHandshake_SendsHeartbeatAndAcksWithOwnNodeDelta()
    {
        var transport = NewTransport();
        var testConfig = ChitchatConfig.ForTest(1);
        var testAddr = testConfig.ChitchatId.GossipAdvertiseAddr;
        var testChitchat = new ChitchatInstance(testConfig);
        await using var testSocket = await transport.OpenAsync(testAddr);
        var serverConfig = ChitchatConfig.ForTest(2);
        var serverId = serverConfig.ChitchatId;
        await using var server = await ChitchatServer.SpawnChitchatAsync(serverConfig, null, transport);
        server.WithChitchat(chitchat => chitchat.SelfNodeState.Set("key", "value"));

        // Make the test node known to the server.
        var heartbeatAtSyn = server.WithChitchat(serverChitchat =>
        {
            serverChitchat.UpdateSelfHeartbeat();
            var syn = serverChitchat.CreateSynMessage();
            var synAck = testChitchat.ProcessMessage(syn)!;
            serverChitchat.ProcessMessage(synAck);
            return syn.Digest.NodeDigests.Single(entry => entry.Key.Equals(serverId)).Value.Heartbeat;
        });

        // Rust asserts 2 (1 at start + 1), relying on the loop not having run yet; the intent is that the
        // replica holds the heartbeat the server advertised.
        testChitchat.NodeState(serverId)!.Heartbeat.Should().Be(heartbeatAtSyn).And.BeGreaterThanOrEqualTo(2);

        // The server now gossips with the test node; answer its Syn.
        var (_, nextSyn) = await testSocket.ReceiveAsync<ChitchatMessage.Syn>();
        var reply = testChitchat.ProcessMessage(nextSyn)!;
        await testSocket.SendAsync(serverConfig.ChitchatId.GossipAdvertiseAddr, reply);

        var (_, ack) = await testSocket.ReceiveAsync<ChitchatMessage.Ack>();
        var nodeDelta = ack.Delta.NodeDeltas.Single(delta => delta.ChitchatId.Equals(serverId));
        nodeDelta.LastGcVersion.Should().Be(0);
        nodeDelta.KeyValues.Should().Contain(mutation => mutation.Key == "key" && mutation.Value == "value");

        await server.ShutdownAsync();
    }

    // TJ6 test_member_change_event_is_broadcasted
    [Fact]
    public async Task LiveNodesWatch_SecondNodeJoins_PublishesBothMembers()
    {
        var transport = NewTransport();
        var node1Config = ChitchatConfig.ForTest(6663);
        var node1 = await ChitchatServer.SpawnChitchatAsync(node1Config, null, transport);
        using var cts = new CancellationTokenSource(TestTimeout);
        await using var watch = node1.Chitchat.LiveNodesWatch.WatchAsync(cts.Token).GetAsyncEnumerator();

        (await NextNonEmptyAsync(watch)).Keys.Should().Equal(node1Config.ChitchatId);

        var node2Config = ChitchatConfig.ForTest(6664);
        node2Config.SeedNodes = [node1Config.ChitchatId.GossipAdvertiseAddr.ToString()];
        var node2 = await ChitchatServer.SpawnChitchatAsync(node2Config, null, transport);

        var next = await NextNonEmptyAsync(watch);
        next.Should().HaveCount(2).And.ContainKey(node2Config.ChitchatId);

        await node1.ShutdownAsync();
        await node2.ShutdownAsync();
    }

    // TJ10 test_graceful_shutdown
    [Fact]
    public async Task InitiateShutdown_RunningServer_TerminationSucceedsAndShutdownSucceeds()
    {
        var transport = NewTransport();
        var server = await ChitchatServer.SpawnChitchatAsync(ChitchatConfig.ForTest(1), null, transport);

        server.InitiateShutdown();

        await server.Termination.WaitAsync(TestTimeout);
        server.Termination.IsCompletedSuccessfully.Should().BeTrue();
        await server.ShutdownAsync();
    }

    // TJ11 test_panic_shutdown, inverted on purpose (BEHAVIOUR.md §14.5).
    [Fact]
    public async Task ReceiveMessage_ProcessingThrows_LogsWithSourceAndKeepsServing()
    {
        var transport = NewTransport();
        var testConfig = ChitchatConfig.ForTest(1);
        await using var testSocket = await transport.OpenAsync(testConfig.ChitchatId.GossipAdvertiseAddr);
        var testChitchat = new ChitchatInstance(testConfig);
        using var loggerFactory = CollectingLoggerFactory(out var logs);
        var failed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var options = new ChitchatServerOptions
        {
            LoggerFactory = loggerFactory,
            MessageProcessor = (chitchat, received, maxReplyLength) =>
            {
                if (received.Message is ChitchatMessage.Syn && failed.TrySetResult())
                {
                    throw new InvalidOperationException("processing failure for test");
                }

                return chitchat.ProcessMessage(received.Message, maxReplyLength, received.From);
            },
        };
        var serverConfig = ChitchatConfig.ForTest(2);
        var server = await ChitchatServer.SpawnChitchatAsync(serverConfig, null, transport, options);

        await testSocket.SendAsync(serverConfig.ChitchatId.GossipAdvertiseAddr, testChitchat.CreateSynMessage());
        await failed.Task.WaitAsync(TestTimeout);

        // Still serving.
        await testSocket.SendAsync(serverConfig.ChitchatId.GossipAdvertiseAddr, testChitchat.CreateSynMessage());
        await testSocket.ReceiveAsync<ChitchatMessage.SynAck>();
        server.Termination.IsCompleted.Should().BeFalse();

        // Logged (before the next message was processed) with the sender's address.
        var record = logs.GetSnapshot().Single(r => r.Id.Id == 505);
        record.Level.Should().Be(LogLevel.Error);
        record.Exception.Should().BeOfType<InvalidOperationException>();
        record.Message.Should().Contain("Syn").And.Contain(testConfig.ChitchatId.GossipAdvertiseAddr.ToString());

        await server.ShutdownAsync();
        server.Termination.IsCompletedSuccessfully.Should().BeTrue();
    }

    // TJ11, second half: a transport whose receive fails fatally (asynchronously, or right in the call).
    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task ReceiveAsync_SocketBroken_TerminationFaultsWithSocketError(bool throwSynchronously)
    {
        var broken = new IOException("socket broken for test");
        var transport = new FailingReceiveTransport(broken, throwSynchronously);
        using var loggerFactory = CollectingLoggerFactory(out var logs);
        var server = await ChitchatServer.SpawnChitchatAsync(
            ChitchatConfig.ForTest(1), null, transport, new ChitchatServerOptions { LoggerFactory = loggerFactory });

        var act = () => server.Termination.WaitAsync(TestTimeout);

        (await act.Should().ThrowAsync<IOException>()).Which.Should().BeSameAs(broken);
        transport.Socket!.Disposed.Should().BeTrue();
        logs.GetSnapshot().Should().Contain(r => r.Id.Id == 504 && r.Level == LogLevel.Error);
        await server.Invoking(s => s.ShutdownAsync()).Should().ThrowAsync<IOException>();
        server.Invoking(s => s.Gossip(Loopback(9))).Should().Throw<InvalidOperationException>();
        server.Invoking(s => s.InitiateShutdown()).Should().Throw<InvalidOperationException>()
            .WithMessage("Failed to initiate Chitchat shutdown, command channel already closed");
    }

    private static async Task<IReadOnlyDictionary<ChitchatId, NodeState>> NextNonEmptyAsync(
        IAsyncEnumerator<IReadOnlyDictionary<ChitchatId, NodeState>> watch)
    {
        while (await watch.MoveNextAsync())
        {
            if (watch.Current.Count > 0)
            {
                return watch.Current;
            }
        }

        throw new Xunit.Sdk.XunitException("The live nodes watch completed.");
    }

    /// <summary>A transport whose sockets send nowhere and whose receive fails once, permanently.</summary>
    private sealed class FailingReceiveTransport(Exception error, bool throwSynchronously) : ITransport
    {
        public FailingSocket? Socket { get; private set; }

        public ValueTask<ISocket> OpenAsync(IPEndPoint listenAddress, CancellationToken cancellationToken = default)
        {
            Socket = new FailingSocket(listenAddress, error, throwSynchronously);
            return ValueTask.FromResult<ISocket>(Socket);
        }
    }

    private sealed class FailingSocket(IPEndPoint localEndPoint, Exception error, bool throwSynchronously) : ISocket
    {
        public IPEndPoint LocalEndPoint { get; } = localEndPoint;

        public bool Disposed { get; private set; }

        public ValueTask<int> SendAsync(IPEndPoint to, ChitchatMessage message, CancellationToken cancellationToken = default) =>
            ValueTask.FromResult(message.SerializedLength);

        public ValueTask<ReceivedMessage> ReceiveAsync(CancellationToken cancellationToken = default) =>
            throwSynchronously ? throw error : FailLaterAsync();

        private async ValueTask<ReceivedMessage> FailLaterAsync()
        {
            await Task.Yield();
            throw error;
        }

        public ValueTask DisposeAsync()
        {
            Disposed = true;
            return ValueTask.CompletedTask;
        }
    }
}
