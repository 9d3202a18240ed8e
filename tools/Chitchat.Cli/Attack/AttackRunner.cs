using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text.Json;
using Chitchat.Cli.Common;

namespace Chitchat.Cli.Attack;

/// <summary>Sends one kind of hostile traffic to a node on loopback and measures what it costs the node.</summary>
internal static class AttackRunner
{
    private static readonly TimeSpan s_rssSamplePeriod = TimeSpan.FromMilliseconds(100);
    private static readonly TimeSpan s_livenessTimeout = TimeSpan.FromSeconds(15);
    private static readonly HttpClient s_http = new() { Timeout = TimeSpan.FromSeconds(30) };

    public static async Task<AttackReport> RunAsync(AttackOptions options, Action<string> progress, CancellationToken cancellationToken)
    {
        var targetText = SocketAddressFormat.Format(options.Target);
        var target = await TargetView.TryFetchAsync(options.Target, cancellationToken).ConfigureAwait(false);
        progress(target is null
            ? $"target {targetText}: no HTTP API answered; its own id is unknown"
            : $"target {targetText}: node {target.Self.NodeId}, cluster {target.ClusterId}, {target.MemberCount} members");
        if (options.Kind == AttackKind.ForgedSelf && target is null)
        {
            throw new InvalidOperationException("forged-self needs the target's own id: the target must serve chitchat node's HTTP API on its address");
        }

        var clusterId = options.ClusterId ?? target?.ClusterId ?? "testing";
        var pid = options.TargetPid ?? ProcessMemory.FindUdpOwner(options.Target.Port);
        progress(pid is null ? "target process: not found (no RSS figures)" : $"target process: pid {pid}");

        await using var watcher = await PeerWatcher.StartAsync(options, clusterId, progress, cancellationToken).ConfigureAwait(false);
        bool? liveBefore = watcher is null ? null : await watcher.WaitLiveAsync(null, s_livenessTimeout, cancellationToken).ConfigureAwait(false);

        var rssBefore = pid is { } p0 ? ProcessMemory.ReadRss(p0) : null;
        var rssPeak = rssBefore;
        using var sampling = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var sampler = pid is { } p1 ? Task.Run(
            async () =>
            {
                while (!sampling.IsCancellationRequested)
                {
                    if (ProcessMemory.ReadRss(p1) is { } rss && rss > (rssPeak ?? 0))
                    {
                        rssPeak = rss;
                    }

                    try
                    {
                        await Task.Delay(s_rssSamplePeriod, sampling.Token).ConfigureAwait(false);
                    }
                    catch (OperationCanceledException)
                    {
                        return;
                    }
                }
            },
            CancellationToken.None) : Task.CompletedTask;

        var payloads = new AttackPayloads(options.Kind, clusterId, target?.Self, target?.SelfMaxVersion ?? 0, options.Seed, options.BombKeys);
        using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
        socket.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        var replies = new ReplyCounter();
        using var receiving = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var receiver = replies.RunAsync(socket, receiving.Token);

        progress($"sending {options.Kind} datagrams: at most {options.Count} in {options.Duration.TotalSeconds} s" + (options.Rate > 0 ? $" at {options.Rate}/s" : string.Empty));
        long sent = 0;
        long bytesSent = 0;
        var clock = Stopwatch.StartNew();
        while (sent < options.Count && clock.Elapsed < options.Duration)
        {
            cancellationToken.ThrowIfCancellationRequested();
            if (options.Rate > 0)
            {
                var due = TimeSpan.FromSeconds(sent / options.Rate) - clock.Elapsed;
                if (due > TimeSpan.FromMilliseconds(1))
                {
                    await Task.Delay(due, cancellationToken).ConfigureAwait(false);
                }
            }

            var datagram = payloads.Next();
            try
            {
                bytesSent += await socket.SendToAsync(datagram, SocketFlags.None, options.Target, cancellationToken).ConfigureAwait(false);
                sent++;
            }
            catch (SocketException ex) when (ex.SocketErrorCode is SocketError.NoBufferSpaceAvailable or SocketError.ConnectionRefused or SocketError.ConnectionReset)
            {
                // The loopback queue is full or the target is gone for a moment: the datagram is lost, as on a network.
            }
        }

        var sendSeconds = clock.Elapsed.TotalSeconds;
        progress($"sent {sent} datagrams ({bytesSent} bytes) in {sendSeconds:0.0} s; settling for {options.Settle.TotalSeconds} s");
        await Task.Delay(options.Settle, cancellationToken).ConfigureAwait(false);
        await receiving.CancelAsync().ConfigureAwait(false);
        await receiver.ConfigureAwait(false);
        await sampling.CancelAsync().ConfigureAwait(false);
        await sampler.ConfigureAwait(false);
        var rssAfter = pid is { } p2 ? ProcessMemory.ReadRss(p2) : null;

        bool? liveAfter = watcher is null ? null : await watcher.WaitLiveAsync(watcher.LastHeartbeat, s_livenessTimeout, cancellationToken).ConfigureAwait(false);
        var after = await TargetView.TryFetchAsync(options.Target, cancellationToken).ConfigureAwait(false);
        return new AttackReport
        {
            Kind = ToKebab(options.Kind),
            Target = targetText,
            DatagramsSent = sent,
            BytesSent = bytesSent,
            RepliesReceived = replies.Count,
            ReplyBytes = replies.Bytes,
            LargestReplyBytes = replies.Largest,
            AmplificationRatio = bytesSent == 0 ? 0 : Math.Round((double)replies.Bytes / bytesSent, 3),
            SendSeconds = Math.Round(sendSeconds, 3),
            TargetPid = pid,
            RssBeforeBytes = rssBefore,
            RssPeakBytes = rssPeak is { } peak && rssAfter is { } last ? Math.Max(peak, last) : rssPeak,
            RssAfterBytes = rssAfter,
            Peer = watcher?.Description,
            TargetLiveToPeerBefore = liveBefore,
            TargetLiveToPeerAfter = liveAfter,
            TargetMembersAfter = after?.MemberCount,
            SelfStateForged = options.Kind == AttackKind.ForgedSelf ? after?.SelfHasKey(AttackPayloads.ForgedKey) : null,
        };
    }

    public static string ToKebab(AttackKind kind) => kind switch
    {
        AttackKind.FakeMembers => "fake-members",
        AttackKind.ZstdBomb => "zstd-bomb",
        AttackKind.ForgedSelf => "forged-self",
        AttackKind.EmptySyn => "empty-syn",
        AttackKind.UnsolicitedSynAck => "unsolicited-synack",
        _ => "garbage",
    };

    /// <summary>Counts the datagrams the target sends back to the attacking socket.</summary>
    private sealed class ReplyCounter
    {
        public long Count;
        public long Bytes;
        public int Largest;

        public async Task RunAsync(Socket socket, CancellationToken cancellationToken)
        {
            var buffer = new byte[65_536];
            EndPoint any = new IPEndPoint(IPAddress.Any, 0);
            while (true)
            {
                try
                {
                    var result = await socket.ReceiveFromAsync(buffer, SocketFlags.None, any, cancellationToken).ConfigureAwait(false);
                    Count++;
                    Bytes += result.ReceivedBytes;
                    Largest = Math.Max(Largest, result.ReceivedBytes);
                }
                catch (OperationCanceledException)
                {
                    return;
                }
                catch (SocketException)
                {
                    // ICMP port unreachable and the like: keep counting.
                }
            }
        }
    }

    /// <summary>The target's view of itself, from its HTTP API (<c>GET /</c>).</summary>
    private sealed record TargetView(string ClusterId, ChitchatId Self, ulong SelfMaxVersion, int MemberCount, JsonElement SelfKeyValues)
    {
        public bool SelfHasKey(string key) => SelfKeyValues.TryGetProperty(key, out _);

        public static async Task<TargetView?> TryFetchAsync(IPEndPoint target, CancellationToken cancellationToken)
        {
            string json;
            try
            {
                json = await s_http.GetStringAsync(new Uri($"http://{SocketAddressFormat.Format(target)}/"), cancellationToken).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException && !cancellationToken.IsCancellationRequested)
            {
                return null;
            }

            using var document = JsonDocument.Parse(json);
            var root = document.RootElement;
            var address = SocketAddressFormat.Format(target);
            foreach (var state in root.GetProperty("cluster_state").GetProperty("node_states").EnumerateArray())
            {
                var id = state.GetProperty("chitchat_id");
                if (id.GetProperty("gossip_advertise_addr").GetString() == address)
                {
                    return new TargetView(
                        root.GetProperty("cluster_id").GetString()!,
                        new ChitchatId(id.GetProperty("node_id").GetString()!, id.GetProperty("generation_id").GetUInt64(), target),
                        state.GetProperty("max_version").GetUInt64(),
                        root.GetProperty("cluster_state").GetProperty("node_states").GetArrayLength(),
                        state.GetProperty("key_values").Clone());
                }
            }

            return null;
        }
    }
}
