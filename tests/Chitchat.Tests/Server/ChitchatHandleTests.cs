using Chitchat.Wire;
using Microsoft.Extensions.Time.Testing;
using static Chitchat.Tests.Server.ServerTestSupport;

namespace Chitchat.Tests.Server;

/// <summary>Lifetime of a node through its handle: start-up failures, shutdown, abort, disposal, timer.</summary>
public sealed class ChitchatHandleTests
{
    [Fact]
    public async Task SpawnChitchatAsync_AddressInUse_ThrowsIOException()
    {
        var transport = NewTransport();
        var config = ChitchatConfig.ForTest(7001);
        await using var squatter = await transport.OpenAsync(config.ListenAddr);

        var act = () => ChitchatServer.SpawnChitchatAsync(config, transport);

        await act.Should().ThrowAsync<IOException>();
    }

    [Fact]
    public async Task SpawnChitchatAsync_InvalidConfig_ThrowsBeforeOpeningSocket()
    {
        var transport = NewTransport();
        var config = ChitchatConfig.ForTest(7002);
        config.GossipInterval = TimeSpan.Zero;

        var act = () => ChitchatServer.SpawnChitchatAsync(config, transport);

        await act.Should().ThrowAsync<ArgumentException>();
        await using var socket = await transport.OpenAsync(config.ListenAddr);
    }

    [Fact]
    public async Task SpawnChitchatAsync_Cancelled_ThrowsAndStartsNothing()
    {
        var transport = NewTransport();
        var config = ChitchatConfig.ForTest(7003);

        var act = () => ChitchatServer.SpawnChitchatAsync(config, transport, cancellationToken: new CancellationToken(canceled: true));

        await act.Should().ThrowAsync<OperationCanceledException>();
        await using var socket = await transport.OpenAsync(config.ListenAddr);
    }

    [Fact]
    public async Task SpawnChitchatAsync_InitialKeyValues_SetOnSelfNodeInOrder()
    {
        await using var server = await ChitchatServer.SpawnChitchatAsync(
            WithInitialKeyValues(ChitchatConfig.ForTest(7004), ("a", "1"), ("b", "2")), NewTransport());

        var values = server.WithChitchat(chitchat => chitchat.SelfNodeState.KeyValuesIncludingDeleted
            .Select(kv => (kv.Key, kv.Value.Value, kv.Value.Version)).ToList());

        values.Should().Equal(("a", "1", 1UL), ("b", "2", 2UL));
        server.ChitchatId.Should().Be(ChitchatId.ForLocalTest(7004));
    }

    [Fact]
    public async Task ShutdownAsync_RunningServer_ReleasesAddressAndCompletesWatch()
    {
        var transport = NewTransport();
        var config = ChitchatConfig.ForTest(7005);
        var server = await ChitchatServer.SpawnChitchatAsync(config, transport);

        await server.ShutdownAsync().WaitAsync(TestTimeout);

        server.Termination.IsCompletedSuccessfully.Should().BeTrue();
        await using (await transport.OpenAsync(config.ListenAddr))
        {
        }

        var values = new List<int>();
        await foreach (var liveNodes in server.Chitchat.LiveMembers.WatchAsync().WithCancellation(new CancellationTokenSource(TestTimeout).Token))
        {
            values.Add(liveNodes.Count);
        }

        values.Should().HaveCount(1, "a completed watch yields its last value and ends");

        // The state stays readable after the node stopped; a second shutdown reports the same outcome.
        server.WithChitchat(chitchat => chitchat.SelfChitchatId).Should().Be(config.ChitchatId);
        await server.ShutdownAsync();
    }

    [Fact]
    public async Task Gossip_AfterShutdown_ThrowsInvalidOperationException()
    {
        var server = await ChitchatServer.SpawnChitchatAsync(ChitchatConfig.ForTest(7006), NewTransport());
        await server.ShutdownAsync();

        server.Invoking(s => s.Gossip(Loopback(9))).Should().Throw<InvalidOperationException>();
        server.Invoking(s => s.InitiateShutdown()).Should().Throw<InvalidOperationException>()
            .WithMessage("Failed to initiate Chitchat shutdown, command channel already closed");
    }

    [Fact]
    public async Task Abort_RunningServer_TerminationFaultsAndAddressIsReleased()
    {
        var transport = NewTransport();
        var config = ChitchatConfig.ForTest(7007);
        var server = await ChitchatServer.SpawnChitchatAsync(config, transport);

        server.Abort();

        var termination = () => server.Termination.WaitAsync(TestTimeout);
        await termination.Should().ThrowAsync<InvalidOperationException>().WithMessage("Chitchat server aborted");
        await server.Invoking(s => s.ShutdownAsync()).Should().ThrowAsync<InvalidOperationException>();
        server.Invoking(s => s.Gossip(Loopback(9))).Should().Throw<InvalidOperationException>();
        await using (await transport.OpenAsync(config.ListenAddr))
        {
        }

        // Disposal after an abort does not throw, and neither does a second abort.
        server.Abort();
        await server.DisposeAsync();
    }

    [Fact]
    public async Task DisposeAsync_Twice_StopsServerOnceWithoutThrowing()
    {
        var transport = NewTransport();
        var config = ChitchatConfig.ForTest(7008);
        var server = await ChitchatServer.SpawnChitchatAsync(config, transport);

        await server.DisposeAsync();
        await server.DisposeAsync();

        server.Termination.IsCompletedSuccessfully.Should().BeTrue();
        await using (await transport.OpenAsync(config.ListenAddr))
        {
        }
    }

    [Fact]
    public async Task ShutdownAsync_CancelledWait_ThrowsButServerStillStops()
    {
        var server = await ChitchatServer.SpawnChitchatAsync(ChitchatConfig.ForTest(7009), NewTransport());

        var act = () => server.ShutdownAsync(new CancellationToken(canceled: true));

        await act.Should().ThrowAsync<OperationCanceledException>();
        await server.Termination.WaitAsync(TestTimeout);
        server.Termination.IsCompletedSuccessfully.Should().BeTrue();
    }

    [Fact]
    public async Task GossipTimer_FakeClock_RunsOneRoundAtStartThenOnePerInterval()
    {
        var time = new FakeTimeProvider();
        var transport = NewTransport();
        var seedAddr = Loopback(7099);
        await using var seed = await transport.OpenAsync(seedAddr);
        var config = ChitchatConfig.ForTest(7012);
        config.SeedNodes = [seedAddr.ToString()];
        config.GossipInterval = TimeSpan.FromSeconds(1);
        await using var server = await ChitchatServer.SpawnChitchatAsync(
            config, transport, new ChitchatServerOptions { TimeProvider = time });

        // First round at start: heartbeat 1 (construction) + 1 (round). With nothing live, the seed is picked.
        (await NextSynHeartbeatAsync()).Should().Be(2);

        // Just before the next tick: a requested gossip shows that no round ran in between.
        time.Advance(TimeSpan.FromSeconds(1) - TimeSpan.FromMilliseconds(1));
        server.Gossip(seedAddr);
        (await NextSynHeartbeatAsync()).Should().Be(2);

        time.Advance(TimeSpan.FromMilliseconds(1));
        (await NextSynHeartbeatAsync()).Should().Be(3);
        time.Advance(TimeSpan.FromSeconds(1));
        (await NextSynHeartbeatAsync()).Should().Be(4);

        async Task<ulong> NextSynHeartbeatAsync()
        {
            var (_, syn) = await seed.ReceiveAsync<ChitchatMessage.Syn>();
            return syn.Digest.NodeDigests[config.ChitchatId].Heartbeat;
        }
    }

    [Fact]
    public async Task Gossip_ManyRequests_AllServedInOrderBeforeShutdown()
    {
        var transport = NewTransport();
        await using var peer = await transport.OpenAsync(Loopback(7098));
        var server = await ChitchatServer.SpawnChitchatAsync(
            ChitchatConfig.ForTest(7013), transport, new ChitchatServerOptions { TimeProvider = new FakeTimeProvider() });

        for (var i = 0; i < 50; i++)
        {
            server.Gossip(Loopback(7098));
        }

        await server.ShutdownAsync().WaitAsync(TestTimeout);

        // Queued requests run before the shutdown takes effect (chitchat processes commands in order).
        var received = 0;
        using var cts = new CancellationTokenSource(TimeSpan.FromMilliseconds(200));
        try
        {
            while (received < 50)
            {
                (await peer.ReceiveAsync(cts.Token)).Message.Should().BeOfType<ChitchatMessage.Syn>();
                received++;
            }
        }
        catch (OperationCanceledException)
        {
        }

        received.Should().Be(50);
    }
}
