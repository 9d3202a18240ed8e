using System.Collections.Concurrent;
using System.Net;
using Chitchat.Cli.Common;
using Chitchat.FailureDetection;
using Chitchat.Transport;

namespace Chitchat.Cli.Demo;

/// <summary>
/// The demo's nodes: chitchat servers in this process, each on its own UDP socket on 127.0.0.1, talking to
/// each other over real UDP. Node 0 is every other node's seed.
/// </summary>
/// <remarks>
/// The scenario starts, crashes and restarts nodes; the view reads <see cref="Incarnations"/> concurrently
/// (the array is replaced, never changed in place).
/// </remarks>
internal sealed class DemoCluster : IAsyncDisposable
{
    private static readonly TimeSpan s_shutdownTimeout = TimeSpan.FromSeconds(5);

    private readonly DemoSettings _settings;
    private readonly UdpTransport _transport = new();
    private readonly ConcurrentDictionary<ChitchatId, byte> _seenLive = new();
    private volatile DemoNode[] _incarnations = [];

    public DemoCluster(DemoSettings settings)
    {
        _settings = settings;
    }

    /// <summary>Gets every incarnation started so far, crashed ones included, in start order.</summary>
    public IReadOnlyList<DemoNode> Incarnations => _incarnations;

    /// <summary>Gets the incarnations that are running.</summary>
    public IReadOnlyList<DemoNode> Running => _incarnations.Where(node => !node.IsCrashed).ToList();

    /// <summary>Gets node 0, which is never crashed and serves as the observer of the table.</summary>
    public DemoNode Observer => _incarnations[0];

    /// <summary>Records that node 0 has judged <paramref name="id"/> live at least once.</summary>
    public void MarkSeenLive(ChitchatId id) => _seenLive.TryAdd(id, 0);

    /// <summary>Gets whether node 0 has judged <paramref name="id"/> live at least once (a member that never was is joining).</summary>
    public bool WasSeenLive(ChitchatId id) => _seenLive.ContainsKey(id);

    /// <summary>Starts the node of <paramref name="slot"/> (<c>node-{slot}</c>).</summary>
    public async Task<DemoNode> StartAsync(int slot, CancellationToken cancellationToken)
    {
        var seeds = slot == 0 ? [] : new[] { SocketAddressFormat.Format(_incarnations[0].Address) };
        var generation = (ulong)DateTimeOffset.UtcNow.ToUnixTimeSeconds();

        // Without a base port, the node binds port 0 and advertises the port the system chose.
        var port = _settings.BasePort is { } basePort ? basePort + slot : 0;
        return await SpawnAsync(slot, port, generation, seeds, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Restarts a crashed node on the same address with the same node id and a higher generation: for the
    /// cluster, a new member; the old incarnation stays dead until it is forgotten.
    /// </summary>
    public async Task<DemoNode> RestartAsync(DemoNode crashed, CancellationToken cancellationToken)
    {
        // The aborted loop releases its socket asynchronously: wait for it before binding the port again.
        await crashed.Handle.Termination.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        var generation = Math.Max(crashed.Id.GenerationId + 1, (ulong)DateTimeOffset.UtcNow.ToUnixTimeSeconds());
        return await SpawnAsync(crashed.Slot, crashed.Address.Port, generation, crashed.Seeds, cancellationToken).ConfigureAwait(false);
    }

    public async ValueTask DisposeAsync()
    {
        var running = Running;
        await Task.WhenAll(running.Select(node => node.Handle.ShutdownAsync().WaitAsync(s_shutdownTimeout)))
            .ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        foreach (var node in running)
        {
            // A node that did not stop in time is cancelled.
            node.Handle.Abort();
        }
    }

    private async Task<DemoNode> SpawnAsync(int slot, int port, ulong generation, IReadOnlyList<string> seeds, CancellationToken cancellationToken)
    {
        var address = new IPEndPoint(IPAddress.Loopback, port);
        var config = new ChitchatConfig(new ChitchatId($"node-{slot}", generation, address))
        {
            ClusterId = DemoSettings.ClusterId,
            GossipInterval = _settings.GossipInterval,
            SeedNodes = seeds.ToList(),
            FailureDetectorConfig = new FailureDetectorConfig
            {
                // The detector's prior is the gossip interval, so that a crash is noticed within a few seconds.
                InitialInterval = _settings.GossipInterval,
                DeadNodeGracePeriod = _settings.DeadNodeGracePeriod,
            },
            MarkedForDeletionGracePeriod = TimeSpan.FromMinutes(1),
            InitialKeyValues = { ["demo.role"] = slot == 0 ? "seed" : "member" },
        };
        var handle = await ChitchatServer.SpawnChitchatAsync(config, _transport, cancellationToken: cancellationToken)
            .ConfigureAwait(false);
        var node = new DemoNode(slot, handle, seeds);
        _incarnations = [.. _incarnations, node];
        return node;
    }
}
