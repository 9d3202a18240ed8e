using System.Net;
using System.Net.Sockets;
using Chitchat.FailureDetection;
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
    /// <summary>The port of node 0 on the in-memory transport; node i is on base + i.</summary>
    public const int MemoryBasePort = 10_000;

    private const int MaxBindAttempts = 20;
    private static readonly TimeSpan s_shutdownTimeout = TimeSpan.FromSeconds(10);

    private readonly BenchOptions _options;
    private readonly InMemoryTransport? _memory;
    private readonly CountingTransport? _counting;
    private readonly ITransport _transport;
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
        _transport = drop > 0.0 ? transport.DropMessages(drop, options.Seed) : transport;
    }

    /// <summary>Gets the running and crashed nodes, in spawn order.</summary>
    public IReadOnlyList<ChitchatHandle> Nodes => _nodes;

    /// <summary>Gets the bytes and messages sent so far (the messages dropped by <c>--drop</c> excluded).</summary>
    public TransportStatistics Statistics => _memory?.Statistics ?? _counting!.Statistics;

    /// <summary>Spawns nodes 0 to N−1 one after the other.</summary>
    /// <exception cref="IOException">A node could not open its socket.</exception>
    public async Task SpawnAllAsync(CancellationToken cancellationToken)
    {
        for (var i = 0; i < _options.NodeCount; i++)
        {
            _nodes.Add(await SpawnAsync(i, cancellationToken).ConfigureAwait(false));
        }
    }

    /// <summary>Crashes a node: its loop is cancelled and its socket closed, with no goodbye.</summary>
    public void Crash(int index)
    {
        _crashed.Add(index);
        _nodes[index].Abort();
    }

    /// <summary>Gets whether <paramref name="index"/> was crashed.</summary>
    public bool IsCrashed(int index) => _crashed.Contains(index);

    public async ValueTask DisposeAsync()
    {
        var running = _nodes.Where((_, index) => !_crashed.Contains(index)).ToList();
        await Task.WhenAll(running.Select(node => node.ShutdownAsync().WaitAsync(s_shutdownTimeout)))
            .ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        foreach (var node in _nodes)
        {
            // Stops a node that did not shut down in time; does nothing to the others.
            node.Abort();
        }

        await Task.WhenAll(_nodes.Select(node => node.Termination))
            .WaitAsync(s_shutdownTimeout)
            .ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
    }

    private async Task<ChitchatHandle> SpawnAsync(int index, CancellationToken cancellationToken)
    {
        for (var attempt = 1; ; attempt++)
        {
            var port = _options.Transport == BenchTransportKind.Memory ? MemoryBasePort + index : FreeUdpPort();
            try
            {
                return await SpawnOnAsync(index, port, cancellationToken).ConfigureAwait(false);
            }
            catch (IOException) when (_options.Transport == BenchTransportKind.Udp && attempt < MaxBindAttempts)
            {
                // Another process took the free port between the probe and the bind: try another one.
            }
        }
    }

    private async Task<ChitchatHandle> SpawnOnAsync(int index, int port, CancellationToken cancellationToken)
    {
        var address = new IPEndPoint(IPAddress.Loopback, port);
        var seed = index == 0 ? address : _nodes[0].ChitchatId.GossipAdvertiseAddr;
        var config = new ChitchatConfig(new ChitchatId($"node_{index}", 0, address))
        {
            ClusterId = "default-cluster",
            GossipInterval = _options.GossipInterval,
            ProtocolVersion = _options.ProtocolVersion,
            SeedNodes = [$"127.0.0.1:{seed.Port}"],
            FailureDetectorConfig = new FailureDetectorConfig { InitialInterval = _options.GossipInterval },
            MarkedForDeletionGracePeriod = TimeSpan.FromSeconds(10_000),
        };
        var serverOptions = new ChitchatServerOptions
        {
            // Each node owns its random source (the server uses it under the node's lock only).
            Random = _options.Seed is { } s ? new Random(unchecked((s * 1_000_003) ^ index)) : null,
        };
        return await ChitchatServer.SpawnChitchatAsync(config, null, _transport, serverOptions, cancellationToken).ConfigureAwait(false);
    }

    private static int FreeUdpPort()
    {
        using var probe = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
        probe.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        return ((IPEndPoint)probe.LocalEndPoint!).Port;
    }
}
