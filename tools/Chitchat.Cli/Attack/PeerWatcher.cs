using System.Diagnostics;
using System.Net;
using System.Text.Json;
using Chitchat.Cli.Common;
using Chitchat.Transport;

namespace Chitchat.Cli.Attack;

/// <summary>
/// Watches whether the target stays live to a real member of its cluster: a node started in this process and
/// seeded with the target, or a <c>chitchat node</c> given by address (through its HTTP API).
/// </summary>
internal sealed class PeerWatcher : IAsyncDisposable
{
    private static readonly HttpClient s_http = new() { Timeout = TimeSpan.FromSeconds(10) };
    private readonly ChitchatHandle? _node;
    private readonly IPEndPoint? _remote;
    private readonly IPEndPoint _target;

    private PeerWatcher(ChitchatHandle? node, IPEndPoint? remote, IPEndPoint target)
    {
        _node = node;
        _remote = remote;
        _target = target;
        Description = node is not null
            ? $"in-process node {SocketAddressFormat.Format(node.ChitchatId.GossipAdvertiseAddr)}"
            : SocketAddressFormat.Format(remote!);
    }

    public string Description { get; }

    /// <summary>The target's heartbeat as the peer saw it at the last check.</summary>
    public ulong? LastHeartbeat { get; private set; }

    public static async Task<PeerWatcher?> StartAsync(AttackOptions options, string clusterId, Action<string> progress, CancellationToken cancellationToken)
    {
        if (options.Peer is { } remote)
        {
            return new PeerWatcher(null, remote, options.Target);
        }

        if (!options.StartPeer)
        {
            return null;
        }

        // Port 0: the peer binds a free port and advertises it.
        var id = new ChitchatId("attack-peer", (ulong)DateTimeOffset.UtcNow.ToUnixTimeSeconds(), new IPEndPoint(IPAddress.Loopback, 0));
        var config = new ChitchatConfig(id)
        {
            ClusterId = clusterId,
            GossipInterval = TimeSpan.FromMilliseconds(200),
            SeedNodes = [SocketAddressFormat.Format(options.Target)],
        };
        var node = await ChitchatServer.SpawnChitchatAsync(config, new UdpTransport(), null, cancellationToken).ConfigureAwait(false);
        progress($"peer: started {SocketAddressFormat.Format(node.ListenEndPoint)}, seeded with the target");
        return new PeerWatcher(node, null, options.Target);
    }

    /// <summary>
    /// Waits until the peer sees the target live with a heartbeat above <paramref name="above"/> (any heartbeat when null).
    /// </summary>
    public async Task<bool> WaitLiveAsync(ulong? above, TimeSpan timeout, CancellationToken cancellationToken)
    {
        var clock = Stopwatch.StartNew();
        while (true)
        {
            var (live, heartbeat) = await CheckAsync(cancellationToken).ConfigureAwait(false);
            if (live && heartbeat is { } h && (above is null || h > above))
            {
                LastHeartbeat = h;
                return true;
            }

            if (clock.Elapsed > timeout)
            {
                return false;
            }

            await Task.Delay(TimeSpan.FromMilliseconds(200), cancellationToken).ConfigureAwait(false);
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (_node is not null)
        {
            await _node.DisposeAsync().ConfigureAwait(false);
        }
    }

    private async Task<(bool Live, ulong? Heartbeat)> CheckAsync(CancellationToken cancellationToken)
    {
        if (_node is not null)
        {
            var state = _node.Chitchat.GetClusterState();
            var id = state.LiveNodes.FirstOrDefault(live => live.GossipAdvertiseEndPoint.Equals(_target));
            return id is not null && state.TryGetNodeState(id, out var target) ? (true, target.Heartbeat) : (false, null);
        }

        try
        {
            var json = await s_http.GetStringAsync(new Uri($"http://{SocketAddressFormat.Format(_remote!)}/"), cancellationToken).ConfigureAwait(false);
            using var document = JsonDocument.Parse(json);
            var address = SocketAddressFormat.Format(_target);
            var live = document.RootElement.GetProperty("live_nodes").EnumerateArray()
                .Any(id => id.GetProperty("gossip_advertise_addr").GetString() == address);
            ulong? heartbeat = null;
            foreach (var state in document.RootElement.GetProperty("cluster_state").GetProperty("node_states").EnumerateArray())
            {
                if (state.GetProperty("chitchat_id").GetProperty("gossip_advertise_addr").GetString() == address)
                {
                    heartbeat = state.GetProperty("heartbeat").GetUInt64();
                }
            }

            return (live, heartbeat);
        }
        catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException && !cancellationToken.IsCancellationRequested)
        {
            return (false, null);
        }
    }
}
