using System.Net;
using System.Net.Sockets;
using Chitchat.Testing;
using Chitchat.Transport;
using Chitchat.Wire;
using static Chitchat.IntegrationTests.InMemoryCluster;

namespace Chitchat.IntegrationTests;

/// <summary>Clusters of real server loops over UDP on 127.0.0.1 (ports chosen by the OS).</summary>
public sealed class UdpClusterTests
{
    private static readonly TimeSpan Propagation = TimeSpan.FromSeconds(15);

    [Fact]
    public async Task FiveNodes_OverUdp_ConvergeAndShareKeys()
    {
        await using var cluster = Udp();
        var nodes = new List<ChitchatHandle>();
        try
        {
            nodes.Add(await SpawnAsync(cluster, "udp-0", 1, _ => { }));
            var seed = nodes[0].ChitchatId.GossipAdvertiseAddr.ToString();
            for (var i = 1; i < 5; i++)
            {
                nodes.Add(await SpawnAsync(cluster, $"udp-{i}", 1, config => config.SeedNodes = [seed]));
            }

            var ids = nodes.Select(node => node.ChitchatId).ToList();
            foreach (var node in nodes)
            {
                await WaitForLiveNodesAsync(node, ids);
            }

            nodes[3].WithChitchat(chitchat => chitchat.SelfNodeState.Set("color", "blue"));
            await Eventually.HoldsAsync(
                () => nodes.All(node => node.WithChitchat(chitchat => chitchat.NodeState(ids[3])?.Get("color")) == "blue"),
                Propagation,
                "every node has node 3's key");
        }
        finally
        {
            await cluster.DisposeAsync();
        }
    }

    [Fact]
    public async Task NodeShutDown_OverUdp_DeclaredDeadByTheOthers()
    {
        await using var cluster = Udp();
        var nodes = await SpawnTrioAsync(cluster, TimeSpan.FromSeconds(20));
        try
        {
            var stopped = nodes[2];
            await stopped.ShutdownAsync();

            foreach (var node in nodes.Take(2))
            {
                await Eventually.HoldsAsync(
                    () => node.WithChitchat(chitchat => chitchat.DeadNodes.Contains(stopped.ChitchatId) && !chitchat.LiveNodes.Contains(stopped.ChitchatId)),
                    Propagation,
                    $"{node.ChitchatId.NodeId} sees the stopped node dead");
            }
        }
        finally
        {
            await cluster.DisposeAsync();
        }
    }

    [Fact]
    public async Task NodeRestarted_WithHigherGeneration_NewAcceptedAndOldForgotten()
    {
        var gracePeriod = TimeSpan.FromSeconds(3);
        await using var cluster = Udp();
        var nodes = await SpawnTrioAsync(cluster, gracePeriod);
        try
        {
            var old = nodes[2];
            await cluster.StopNodeAsync(old);
            var oldId = old.ChitchatId;

            // Same node id, address and options, next generation.
            var restarted = await cluster.RestartAsync(old);
            restarted.ChitchatId.Should().Be(new ChitchatId(oldId.NodeId, oldId.GenerationId + 1, oldId.GossipAdvertiseEndPoint));
            nodes[2] = restarted;

            var expected = new[] { nodes[0].ChitchatId, nodes[1].ChitchatId, restarted.ChitchatId };
            await WaitForLiveNodesAsync(nodes[0], expected);
            await WaitForLiveNodesAsync(nodes[1], expected);
            await Eventually.HoldsAsync(
                () => nodes.All(node => node.WithChitchat(chitchat => chitchat.NodeState(oldId)) is null),
                gracePeriod + Propagation,
                "every node forgot the previous generation");
        }
        finally
        {
            await cluster.DisposeAsync();
        }
    }

    [Fact]
    public async Task GarbageDatagrams_OverUdp_NodeKeepsServing()
    {
        await using var cluster = Udp();
        var node = await SpawnAsync(cluster, "udp-garbage", 1, _ => { });
        var nodeAddr = node.ChitchatId.GossipAdvertiseAddr;
        using var raw = new UdpClient(new IPEndPoint(IPAddress.Loopback, 0));
        var validSyn = new ChitchatMessage.Syn("default-cluster", new Digest()).SerializeToArray();

        // Junk, a wrong magic number, a truncated Syn, and a message type that does not exist.
        byte[][] garbage = [[.. "junk"u8], [0, 0, 0, 0], validSyn[..^3], [validSyn[0], validSyn[1], 0, 255]];
        foreach (var datagram in garbage)
        {
            await raw.SendAsync(datagram, nodeAddr);
        }

        await raw.SendAsync(validSyn, nodeAddr);
        using var cts = new CancellationTokenSource(Propagation);
        while (true)
        {
            var result = await raw.ReceiveAsync(cts.Token);
            result.RemoteEndPoint.Should().Be(nodeAddr);
            ChitchatMessage.TryDeserialize(result.Buffer, out var reply, out _).Should().BeTrue();
            if (reply is ChitchatMessage.SynAck)
            {
                break;
            }
        }

        node.Termination.IsCompleted.Should().BeFalse();
    }

    [Fact]
    public async Task ThrowingListener_OverUdp_LoopKeepsServing()
    {
        await using var cluster = Udp();
        var nodes = new List<ChitchatHandle>();
        try
        {
            nodes.Add(await SpawnAsync(cluster, "udp-writer", 1, _ => { }));
            var seed = nodes[0].ChitchatId.GossipAdvertiseAddr.ToString();
            nodes.Add(await SpawnAsync(cluster, "udp-listener", 1, config => config.SeedNodes = [seed]));
            var calls = 0;
            nodes[1].WithChitchat(chitchat => chitchat.SubscribeEvent(string.Empty, _ =>
            {
                Interlocked.Increment(ref calls);
                throw new InvalidOperationException("listener failure for test");
            }).Forever());
            var writerId = nodes[0].ChitchatId;

            nodes[0].WithChitchat(chitchat => chitchat.SelfNodeState.Set("k1", "v1"));
            await Eventually.HoldsAsync(
                () => nodes[1].WithChitchat(chitchat => chitchat.NodeState(writerId)?.Get("k1")) == "v1",
                Propagation,
                "the first key arrived despite the throwing listener");
            nodes[0].WithChitchat(chitchat => chitchat.SelfNodeState.Set("k2", "v2"));
            await Eventually.HoldsAsync(
                () => nodes[1].WithChitchat(chitchat => chitchat.NodeState(writerId)?.Get("k2")) == "v2",
                Propagation,
                "later keys still arrive");

            Volatile.Read(ref calls).Should().BeGreaterThanOrEqualTo(2);
            nodes[1].Termination.IsCompleted.Should().BeFalse();
        }
        finally
        {
            await cluster.DisposeAsync();
        }
    }

    [Fact]
    public async Task LocalhostSeed_OverUdp_ResolvedWithSystemResolverAndJoins()
    {
        await using var cluster = Udp();
        var nodes = new List<ChitchatHandle>();
        try
        {
            nodes.Add(await SpawnAsync(cluster, "dns-seed", 1, _ => { }));
            var port = nodes[0].ChitchatId.GossipAdvertiseAddr.Port;
            nodes.Add(await SpawnAsync(cluster, "dns-joiner", 1, config => config.SeedNodes = [$"localhost:{port}"]));

            var expectedSeeds = (await Dns.GetHostAddressesAsync("localhost"))
                .Select(address => new IPEndPoint(address.IsIPv4MappedToIPv6 ? address.MapToIPv4() : address, port))
                .ToHashSet();
            var seeds = nodes[1].WithChitchat(chitchat => chitchat.SeedNodes);
            seeds.Should().BeEquivalentTo(expectedSeeds).And.Contain(new IPEndPoint(IPAddress.Loopback, port));
            if (Socket.OSSupportsIPv6 && expectedSeeds.Any(seed => seed.AddressFamily == AddressFamily.InterNetworkV6))
            {
                seeds.Should().Contain(new IPEndPoint(IPAddress.IPv6Loopback, port));
            }

            await WaitForLiveNodesAsync(nodes[1], nodes.Select(node => node.ChitchatId));
        }
        finally
        {
            await cluster.DisposeAsync();
        }
    }

    private static TestCluster Udp() => new(new UdpTransport());

    private static Task<ChitchatHandle> SpawnAsync(TestCluster cluster, string nodeId, ulong generationId, Action<ChitchatConfig> configure)
    {
        var config = NodeConfig(new ChitchatId(nodeId, generationId, new IPEndPoint(IPAddress.Loopback, 0)), [], TimeSpan.FromSeconds(20));
        configure(config);
        return cluster.StartNodeAsync(config);
    }

    private static async Task<List<ChitchatHandle>> SpawnTrioAsync(TestCluster cluster, TimeSpan deadNodeGracePeriod)
    {
        var nodes = new List<ChitchatHandle>();
        void Configure(ChitchatConfig config)
        {
            config.FailureDetectorConfig.DeadNodeGracePeriod = deadNodeGracePeriod;
            if (nodes.Count > 0)
            {
                config.SeedNodes = [nodes[0].ChitchatId.GossipAdvertiseAddr.ToString()];
            }
        }

        for (var i = 0; i < 3; i++)
        {
            nodes.Add(await SpawnAsync(cluster, $"udp-trio-{i}", 1, Configure));
        }

        var ids = nodes.Select(node => node.ChitchatId).ToList();
        foreach (var node in nodes)
        {
            await WaitForLiveNodesAsync(node, ids);
        }

        return nodes;
    }
}
