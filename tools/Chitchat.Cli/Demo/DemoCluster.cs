using System.Collections.Concurrent;
using System.Net;
using Chitchat.Cli.Common;
using Chitchat.Testing;
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
    private readonly DemoSettings _settings;
    private readonly TestCluster _cluster;
    private readonly ConcurrentDictionary<ChitchatId, byte> _seenLive = new();
    private volatile DemoNode[] _incarnations = [];

    public DemoCluster(DemoSettings settings)
    {
        _settings = settings;
        _cluster = new TestCluster(new UdpTransport())
        {
            ClusterId = DemoSettings.ClusterId,
            GossipInterval = settings.GossipInterval,
            ShutdownTimeout = TimeSpan.FromSeconds(5),
        };
    }

    public IReadOnlyList<DemoNode> Incarnations => _incarnations;

    public IReadOnlyList<DemoNode> Running => _incarnations.Where(node => !node.IsCrashed).ToList();

    public DemoNode Observer => _incarnations[0];

    public void MarkSeenLive(ChitchatId id) => _seenLive.TryAdd(id, 0);

    public bool WasSeenLive(ChitchatId id) => _seenLive.ContainsKey(id);

    public async Task<DemoNode> StartAsync(int slot, CancellationToken cancellationToken)
    {
        var seeds = slot == 0 ? [] : new[] { SocketAddressFormat.Format(_incarnations[0].Address) };
        var generation = (ulong)DateTimeOffset.UtcNow.ToUnixTimeSeconds();
        var handle = await _cluster.AddNodeAsync(
            $"node-{slot}",
            config =>
            {
                config.GenerationId = generation;

                // Without a base port, the node binds port 0 and advertises the port the system chose.
                if (_settings.BasePort is { } basePort)
                {
                    config.ListenAddress = new IPEndPoint(IPAddress.Loopback, basePort + slot).ToString();
                }

                config.SeedNodes = [.. seeds];

                // The detector's prior is the gossip interval (the cluster's default), so that a crash is noticed within
                // a few seconds.
                config.FailureDetectorConfig.DeadNodeGracePeriod = _settings.DeadNodeGracePeriod;
                config.MarkedForDeletionGracePeriod = TimeSpan.FromMinutes(1);
                config.InitialKeyValues["demo.role"] = slot == 0 ? "seed" : "member";
            },
            cancellationToken).ConfigureAwait(false);
        return Add(new DemoNode(slot, handle, seeds, _cluster));
    }

    public async Task<DemoNode> RestartAsync(DemoNode crashed, CancellationToken cancellationToken)
    {
        // Same address and options, a new generation: a new incarnation of the member.
        var generation = Math.Max(crashed.Id.GenerationId + 1, (ulong)DateTimeOffset.UtcNow.ToUnixTimeSeconds());
        var handle = await _cluster.RestartAsync(crashed.Handle, generation, cancellationToken).ConfigureAwait(false);
        return Add(new DemoNode(crashed.Slot, handle, crashed.Seeds, _cluster));
    }

    public ValueTask DisposeAsync() => _cluster.DisposeAsync();

    private DemoNode Add(DemoNode node)
    {
        _incarnations = [.. _incarnations, node];
        return node;
    }
}
