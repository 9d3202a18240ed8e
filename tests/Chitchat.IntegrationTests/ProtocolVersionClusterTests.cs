using Chitchat.Testing;
using Microsoft.Extensions.Logging;
using System.Collections.Concurrent;
using System.Net;
using Chitchat.Transport;
using Chitchat.Wire;
using static Chitchat.IntegrationTests.InMemoryCluster;

namespace Chitchat.IntegrationTests;

/// <summary>
/// Clusters of real server loops over the in-memory transport, with nodes configured for protocol V0 or V1,
/// and nodes that behave like chitchat 0.10 (they drop every V1 datagram, as its decoder rejects them).
/// </summary>
public sealed class ProtocolVersionClusterTests
{
    private static ChitchatConfig Config(int port, ProtocolVersion version, params int[] seeds)
    {
        var config = NodeConfig(ChitchatId.ForLocalTest(port), seeds.Select(s => $"127.0.0.1:{s}"), TimeSpan.FromSeconds(20));
        config.ProtocolVersion = version;
        return config;
    }

    [Fact]
    public async Task AllV1_FiveNodes_ConvergeShareKeysAndSpeakOnlyV1()
    {
        var transport = new VersionRecordingTransport(NewTransport());
        await using var cluster = new TestCluster(transport);
        var nodes = new List<ChitchatHandle>();
        try
        {
            foreach (var port in Enumerable.Range(30_001, 5))
            {
                nodes.Add(await cluster.StartNodeAsync(Config(port, ProtocolVersion.V1, 30_001)));
            }

            nodes[3].WithChitchat(c => c.SelfNodeState.Set("color", "blue"));
            foreach (var node in nodes)
            {
                await WaitForLiveNodesAsync(node, nodes.Select(n => n.ChitchatId));
            }

            await Eventually.HoldsAsync(
                () => nodes.All(n => n.WithChitchat(c => c.NodeState(nodes[3].ChitchatId)?.Get("color")) == "blue"),
                WatchTimeout,
                "every node has the key of node 4");
            transport.Versions.Keys.Should().Equal(ProtocolVersion.V1);
        }
        finally
        {
            await cluster.DisposeAsync();
        }
    }

    [Fact]
    public async Task MixedV0AndV1_Converge_AndEachExchangeUsesTheInitiatorsVersion()
    {
        var transport = new VersionRecordingTransport(NewTransport());
        await using var cluster = new TestCluster(transport);
        var nodes = new List<ChitchatHandle>();
        try
        {
            var versions = new[] { ProtocolVersion.V0, ProtocolVersion.V1, ProtocolVersion.V0, ProtocolVersion.V1, ProtocolVersion.V1 };
            for (var i = 0; i < versions.Length; i++)
            {
                nodes.Add(await cluster.StartNodeAsync(Config(31_001 + i, versions[i], 31_001)));
                nodes[i].WithChitchat(c => c.SelfNodeState.Set("version", c.Config.ProtocolVersion.ToString()));
            }

            foreach (var node in nodes)
            {
                await WaitForLiveNodesAsync(node, nodes.Select(n => n.ChitchatId));
            }

            await Eventually.HoldsAsync(
                () => nodes.All(n => nodes.All(m => n.WithChitchat(c => c.NodeState(m.ChitchatId)?.Get("version")) is not null)),
                WatchTimeout,
                "every node has every node's key");
            transport.Versions.Keys.Should().BeEquivalentTo([ProtocolVersion.V0, ProtocolVersion.V1]);

            // V0-configured nodes never start a V1 exchange: every V1 Syn came from a V1-configured node.
            transport.SynSources(ProtocolVersion.V1).Should().OnlyContain(source => versions[source.Port - 31_001] == ProtocolVersion.V1);
            transport.SynSources(ProtocolVersion.V0).Should().OnlyContain(source => versions[source.Port - 31_001] == ProtocolVersion.V0);
        }
        finally
        {
            await cluster.DisposeAsync();
        }
    }

    [Fact]
    public async Task V1Node_WhoseOnlySeedSpeaksOnlyV0_JoinsByFallingBackToV0ForThatPeer()
    {
        // The legacy node behaves like chitchat 0.10: V0 only, V1 datagrams dropped. It has no seed, so it starts
        // no handshake until it hears a valid message. Rust 0.13 in V1 never forms this cluster; the rule does.
        var inner = NewTransport();
        var legacy = await ChitchatServer.SpawnChitchatAsync(Config(32_001, ProtocolVersion.V0), new LegacyV0Transport(inner));
        var modern = await ChitchatServer.SpawnChitchatAsync(Config(32_002, ProtocolVersion.V1, 32_001), inner);
        var other = await ChitchatServer.SpawnChitchatAsync(Config(32_003, ProtocolVersion.V1, 32_002), inner);
        ChitchatHandle[] nodes = [legacy, modern, other];
        try
        {
            foreach (var node in nodes)
            {
                await WaitForLiveNodesAsync(node, nodes.Select(n => n.ChitchatId));
            }

            modern.WithChitchat(c => c.SelfNodeState.Set("k", "from-modern"));
            await Eventually.HoldsAsync(
                () => legacy.WithChitchat(c => c.NodeState(modern.ChitchatId)?.Get("k")) == "from-modern",
                WatchTimeout,
                "the legacy node has the V1 node's key");

            // The V1 nodes talk V0 to the legacy node only.
            modern.PeerTable.UsesV0(legacy.ChitchatId.GossipAdvertiseAddr).Should().BeTrue();
            modern.PeerTable.UsesV0(other.ChitchatId.GossipAdvertiseAddr).Should().BeFalse();
        }
        finally
        {
            await Task.WhenAll(nodes.Select(node => node.ShutdownAsync())); // one transport per node: no TestCluster
        }
    }

    [Fact]
    public async Task Node_WithADigestOf2000Members_KeepsGossipingAndStaysLiveToItsPeer()
    {
        // A raw sender announces 2,000 members to node A: A's digest no longer fits one datagram (in V0 from
        // about 940 realistic members). A must keep sending its heartbeat and answering B.
        var transport = NewTransport();
        var provider = new Microsoft.Extensions.Logging.Testing.FakeLoggerProvider();
        using var loggerFactory = LoggerFactory.Create(builder => builder.AddProvider(provider));
        var options = new ChitchatServerOptions { LoggerFactory = loggerFactory };
        var configA = Config(33_001, ProtocolVersion.V0);
        var configB = Config(33_002, ProtocolVersion.V0, 33_001);

        // The default phi threshold (8): a node silent for about 0.8 s is dead, a busy test machine is not.
        configA.FailureDetectorConfig.PhiThreshold = configB.FailureDetectorConfig.PhiThreshold = 8;
        var a = await ChitchatServer.SpawnChitchatAsync(configA, transport, options);
        var b = await ChitchatServer.SpawnChitchatAsync(configB, transport, options);
        await using var raw = await transport.OpenAsync(IPEndPoint.Parse("127.0.0.1:33999"));
        try
        {
            await WaitForLiveNodesAsync(b, [a.ChitchatId, b.ChitchatId]);
            var members = Enumerable.Range(0, 2_000)
                .Select(i => new ChitchatId($"quickwit-searcher-{i:x8}", 1_755_000_000_000UL + (ulong)i, new IPEndPoint(IPAddress.Parse($"127.1.{i >> 8}.{i & 255}"), 7280)))
                .ToList();
            var digests = members.Chunk(500).Select(chunk =>
            {
                var digest = new Digest();
                foreach (var id in chunk)
                {
                    digest.Add(id, 7, 0, 0);
                }

                return digest;
            }).ToList();

            // One source introduces at most 1,000 new members per gossip interval: repeat, as gossip would.
            await Eventually.HoldsAsync(
                async () =>
                {
                    foreach (var digest in digests)
                    {
                        await raw.SendAsync(a.ChitchatId.GossipAdvertiseAddr, new ChitchatMessage.Syn("default-cluster", digest));
                    }

                    return a.WithChitchat(c => c.NodeStates.Count) > 2_000;
                },
                WatchTimeout,
                "A knows the 2,000 members");
            a.WithChitchat(c => c.ClusterState.ComputeDigest(new HashSet<ChitchatId>()).SerializedLength).Should().BeGreaterThan(65_507);

            // For 3 s (30 gossip rounds; B's detector declares a silent node dead within about 0.8 s), A
            // stays live to B, and B learns the members through A's partial digests.
            var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(3);
            while (DateTime.UtcNow < deadline)
            {
                b.WithChitchat(c => c.LiveNodes.Contains(a.ChitchatId)).Should().BeTrue(
                    $"A keeps gossiping with a digest it cannot send whole (B's view of A: {b.WithChitchat(c => c.TryGetLiveness(a.ChitchatId, out var l) ? l.ToString() : "unknown")}; warnings: {string.Join(" | ", provider.Collector.GetSnapshot().Where(r => r.Level >= LogLevel.Warning).Take(5).Select(r => r.Message))})");
                await Task.Delay(100);
            }

            b.WithChitchat(c => c.NodeStates.Count).Should().BeGreaterThan(1_500);
        }
        finally
        {
            await Task.WhenAll(a.ShutdownAsync(), b.ShutdownAsync());
        }
    }

    /// <summary>Records the version and type of every datagram sent.</summary>
    private sealed class VersionRecordingTransport(ITransport inner) : ITransport
    {
        private readonly ConcurrentBag<(IPEndPoint From, ChitchatMessage Message)> _sent = [];

        public ConcurrentDictionary<ProtocolVersion, int> Versions { get; } = new();

        public IEnumerable<IPEndPoint> SynSources(ProtocolVersion version) =>
            _sent.Where(s => s.Message is ChitchatMessage.Syn && s.Message.Version == version).Select(s => s.From);

        public async ValueTask<ISocket> OpenAsync(IPEndPoint listenAddress, CancellationToken cancellationToken = default) =>
            new Socket(this, await inner.OpenAsync(listenAddress, cancellationToken));

        private sealed class Socket(VersionRecordingTransport owner, ISocket inner) : ISocket
        {
            public IPEndPoint LocalEndPoint => inner.LocalEndPoint;

            public ValueTask<int> SendAsync(IPEndPoint to, ChitchatMessage message, CancellationToken cancellationToken = default)
            {
                owner.Versions.AddOrUpdate(message.Version, 1, (_, count) => count + 1);
                owner._sent.Add((LocalEndPoint, message));
                return inner.SendAsync(to, message, cancellationToken);
            }

            public ValueTask<ReceivedMessage> ReceiveAsync(CancellationToken cancellationToken = default) => inner.ReceiveAsync(cancellationToken);

            public ValueTask DisposeAsync() => inner.DisposeAsync();
        }
    }

    /// <summary>A node's transport as chitchat 0.10 decodes: any datagram of protocol version 1 is dropped.</summary>
    private sealed class LegacyV0Transport(ITransport inner) : ITransport
    {
        public async ValueTask<ISocket> OpenAsync(IPEndPoint listenAddress, CancellationToken cancellationToken = default) =>
            new Socket(await inner.OpenAsync(listenAddress, cancellationToken));

        private sealed class Socket(ISocket inner) : ISocket
        {
            public IPEndPoint LocalEndPoint => inner.LocalEndPoint;

            public ValueTask<int> SendAsync(IPEndPoint to, ChitchatMessage message, CancellationToken cancellationToken = default)
            {
                message.Version.Should().Be(ProtocolVersion.V0, "a chitchat 0.10 node sends V0 only");
                return inner.SendAsync(to, message, cancellationToken);
            }

            public async ValueTask<ReceivedMessage> ReceiveAsync(CancellationToken cancellationToken = default)
            {
                while (true)
                {
                    var received = await inner.ReceiveAsync(cancellationToken);
                    if (received.Message.Version == ProtocolVersion.V0)
                    {
                        return received;
                    }
                }
            }

            public ValueTask DisposeAsync() => inner.DisposeAsync();
        }
    }
}
