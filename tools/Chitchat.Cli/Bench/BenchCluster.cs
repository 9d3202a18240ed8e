using Chitchat.Testing;
using Chitchat.Transport;

namespace Chitchat.Cli.Bench;

/// <summary>
/// The nodes of one benchmark run, all in this process, configured as in chitchat's perf tests
/// (<c>tests/perf_test.rs</c> <c>spawn_one</c>): node i is <c>node_{i}</c>, generation 0, seed node 0, the
/// failure detector's initial interval equal to the gossip interval, marked-for-deletion grace 10,000 s.
/// </summary>
/// <remarks>
/// The transport stack is: optional message drop (<see cref="TransportExtensions.DropMessages"/>), over the
/// in-memory transport (MTU 65,507; its statistics count what passes the drop) or over UDP on 127.0.0.1 wrapped
/// in a <see cref="CountingTransport"/>. Disposing the cluster stops every node that still runs.
/// </remarks>
internal sealed class BenchCluster : IAsyncDisposable
{
    private static readonly TimeSpan s_shutdownTimeout = TimeSpan.FromSeconds(10);

    private readonly BenchOptions _options;
    private readonly InMemoryTransport? _memory;
    private readonly CountingTransport? _counting;
    private readonly TestCluster _cluster;
    private readonly List<ChitchatHandle> _nodes = [];
    private readonly HashSet<int> _crashed = [];

    public BenchCluster(BenchOptions options)
    {
        _options = options;
        ITransport transport;
        if (options.Transport == BenchTransportKind.Memory)
        {
            _memory = InMemoryTransport.WithMtu(65_507);
            transport = _memory;
        }
        else
        {
            _counting = new CountingTransport(new UdpTransport());
            transport = _counting;
        }

        var drop = options.EffectiveDrop;
        _cluster = new TestCluster(drop > 0.0 ? transport.DropMessages(drop, options.Seed) : transport)
        {
            ClusterId = "default-cluster",
            GossipInterval = options.GossipInterval,
            ShutdownTimeout = s_shutdownTimeout,

            // Each node owns its random source (the server uses it under the node's lock only).
            ServerOptions = config => options.Seed is { } s
                ? new ChitchatServerOptions { Random = new Random(unchecked((s * 1_000_003) ^ NodeIndex(config.NodeId))) }
                : null,
        };
    }

    /// <summary>Gets every node, crashed ones included, by index.</summary>
    public IReadOnlyList<ChitchatHandle> Nodes => _nodes;

    public TransportStatistics Statistics => _memory?.Statistics ?? _counting!.Statistics;

    /// <summary>Gets the messages dropped by full inboxes (in memory), or null over UDP.</summary>
    public long? InboxDrops => _memory?.InboxDrops;

    public async Task SpawnAllAsync(CancellationToken cancellationToken)
    {
        for (var i = 0; i < _options.NodeCount; i++)
        {
            // Nodes bind port 0 and advertise the port the transport chose; every node's seed is node 0.
            var node = await _cluster.AddNodeAsync(
                NodeId(i),
                config =>
                {
                    config.ProtocolVersion = _options.ProtocolVersion;
                    config.MarkedForDeletionGracePeriod = TimeSpan.FromSeconds(10_000);
                },
                cancellationToken).ConfigureAwait(false);
            _nodes.Add(node);
        }
    }

    public void Crash(int index)
    {
        _crashed.Add(index);
        _cluster.Crash(_nodes[index]);
    }

    public bool IsCrashed(int index) => _crashed.Contains(index);

    public ValueTask DisposeAsync() => _cluster.DisposeAsync();

    private static string NodeId(int index) => $"node_{index}";

    private static int NodeIndex(string nodeId) => int.Parse(nodeId.AsSpan("node_".Length), System.Globalization.CultureInfo.InvariantCulture);
}
