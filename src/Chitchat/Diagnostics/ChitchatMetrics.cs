using System.Diagnostics;
using System.Diagnostics.Metrics;
using Chitchat.Wire;

namespace Chitchat.Diagnostics;

/// <summary>
/// The telemetry of one node: the instruments of its <c>Chitchat</c> meter (docs/METRICS.md lists every one), the
/// drop counts by reason, and the join activity.
/// </summary>
/// <remarks>
/// <para>
/// Events (messages, drops, rounds, truncations, resets) go to counters as they happen, with tag lists built once,
/// so a measurement allocates nothing, and costs a check of <see cref="Instrument.Enabled"/> when nothing listens.
/// Gauges of membership and of the own state are observable: the gossip loop publishes them at every liveness
/// update (<see cref="PublishMembership"/>, allocation-free), and their callbacks read the published values, at most
/// one gossip interval old, without taking the node's lock; they never throw. Distributions (phi, digest entries)
/// go to histograms.
/// </para>
/// <para>
/// Every measurement carries the node tag (<see cref="ChitchatDiagnostics.NodeTag"/>), so the nodes of one process
/// stay apart; nothing is ever tagged by peer, so the number of series is bounded.
/// </para>
/// <para>
/// The meter is created by the <see cref="IMeterFactory"/> when one is given (the factory owns it and disposes of
/// it; the meter carries the node tag too, so a caching factory gives each node id a meter of its own), otherwise
/// directly, owned by this object. <see cref="Dispose"/> (when the node stops)
/// disposes of an owned meter, and the gauges of a stopped node report nothing either way.
/// </para>
/// <para>Thread-safe.</para>
/// </remarks>
internal sealed class ChitchatMetrics : IDisposable
{
    // Tag lists of messages, indexed by MessageIndex(type, version).
    private const int MessageSlots = 4 * 2;

    private static readonly string[] s_messageTypes = ["syn", "syn_ack", "ack", "bad_cluster"];
    private static readonly object[] s_versions = [0, 1];

    private readonly KeyValuePair<string, object?> _nodeTag;
    private readonly KeyValuePair<string, object?>[][] _messageTags = new KeyValuePair<string, object?>[MessageSlots][];
    private readonly KeyValuePair<string, object?>[] _dropReasonTags = new KeyValuePair<string, object?>[DatagramDropReasons.Count];
    private readonly DropCounters _drops = new();
    private readonly Meter? _meter;
    private readonly bool _ownsMeter;
    private readonly Counter<long>? _messagesSent;
    private readonly Counter<long>? _messagesReceived;
    private readonly Counter<long>? _bytesSent;
    private readonly Counter<long>? _bytesReceived;
    private readonly Counter<long>? _dropped;
    private readonly Counter<long>? _gossipRounds;
    private readonly Counter<long>? _deltaTruncations;
    private readonly Counter<long>? _replicaResets;
    private readonly Counter<long>? _catchups;
    private readonly Histogram<double>? _phi;
    private readonly Histogram<int>? _digestEntries;
    private DropCounters? _socketDrops;
    private int _liveMembers;
    private int _deadMembers;
    private int _scheduledMembers;
    private int _ownKeys;
    private long _ownBytes;
    private Activity? _join;
    private volatile bool _disposed;

    /// <summary>Creates counters without a meter (a state machine outside a server: tests, tools).</summary>
    public ChitchatMetrics()
        : this(string.Empty, meterFactory: null, createMeter: false)
    {
    }

    /// <summary>Creates the node's counters and its meter.</summary>
    /// <param name="nodeId">The value of the node tag.</param>
    /// <param name="meterFactory">Creates the meter; when <see langword="null"/> the meter is created directly.</param>
    public ChitchatMetrics(string nodeId, IMeterFactory? meterFactory)
        : this(nodeId, meterFactory, createMeter: true)
    {
    }

    private ChitchatMetrics(string nodeId, IMeterFactory? meterFactory, bool createMeter)
    {
        NodeId = nodeId;
        _nodeTag = new(ChitchatDiagnostics.NodeTag, nodeId);
        for (var i = 0; i < MessageSlots; i++)
        {
            _messageTags[i] =
            [
                _nodeTag,
                new(ChitchatDiagnostics.MessageTypeTag, s_messageTypes[i >> 1]),
                new(ChitchatDiagnostics.ProtocolVersionTag, s_versions[i & 1]),
            ];
        }

        for (var i = 0; i < _dropReasonTags.Length; i++)
        {
            _dropReasonTags[i] = new(ChitchatDiagnostics.DropReasonTag, DatagramDropReasons.TagValue((DatagramDropReason)i));
        }

        if (!createMeter)
        {
            return;
        }

        // The node tag on the meter too: a caching factory (the host's) then gives each node a meter of its own.
        var options = new MeterOptions(ChitchatDiagnostics.Name) { Version = ChitchatDiagnostics.Version, Tags = [_nodeTag] };
        var meter = meterFactory?.Create(options) ?? new Meter(options);
        _meter = meter;
        _ownsMeter = meterFactory is null;
        _messagesSent = meter.CreateCounter<long>(
            "chitchat.messages.sent", "{message}", "Chitchat messages handed to the network, by message type and protocol version.");
        _messagesReceived = meter.CreateCounter<long>(
            "chitchat.messages.received", "{message}", "Chitchat messages received and decoded, by message type and protocol version.");
        _bytesSent = meter.CreateCounter<long>(
            "chitchat.bytes.sent", "By", "Bytes of the chitchat messages handed to the network, as the transport reported them, by message type and protocol version.");
        _bytesReceived = meter.CreateCounter<long>(
            "chitchat.bytes.received", "By", "Bytes of the datagrams received and decoded, by message type and protocol version.");
        _dropped = meter.CreateCounter<long>(
            "chitchat.datagrams.dropped", "{datagram}", "Datagrams refused wholly or in part (and gossip requests refused), by reason.");
        _gossipRounds = meter.CreateCounter<long>("chitchat.gossip.rounds", "{round}", "Gossip rounds run.");
        _deltaTruncations = meter.CreateCounter<long>(
            "chitchat.delta.truncations", "{delta}", "Deltas cut short by their datagram budget while the peer was missing more.");
        _replicaResets = meter.CreateCounter<long>(
            "chitchat.replica.resets", "{reset}", "Replicas of peers reset by a delta (their owner garbage-collected tombstones this node had not seen).");
        _catchups = meter.CreateCounter<long>(
            "chitchat.replica.catchups", "{catchup}", "Replicas fast-forwarded from a catch-up snapshot (ChitchatRef.TryResetNodeState).");
        meter.CreateObservableGauge(
            "chitchat.members", ObserveMembers, "{member}",
            "Members known, by state: live (this node included), dead, scheduled for deletion (dead for half the grace period, no longer gossiped about).");
        meter.CreateObservableGauge(
            "chitchat.state.keys", ObserveOwnKeys, "{key}",
            "Keys of this node's own state (tombstones excluded).");
        meter.CreateObservableGauge(
            "chitchat.state.bytes", ObserveOwnBytes, "By",
            "Memory held by this node's own state, as its state budget counts it.");
        _phi = meter.CreateHistogram(
            "chitchat.failure_detector.phi",
            unit: "1",
            description: "Phi of each peer at each liveness update (a peer is live while its phi is at most the threshold, 8 by default).",
            tags: null,
            advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = [0.5, 1, 2, 3, 4, 5, 6, 7, 8, 10, 12, 16, 24] });
        _digestEntries = meter.CreateHistogram(
            "chitchat.digest.entries",
            unit: "{entry}",
            description: "Entries of each digest sent (in Syns and SynAcks); below the member count when the digest was partial.",
            tags: null,
            advice: new InstrumentAdvice<int> { HistogramBucketBoundaries = [1, 2, 4, 8, 16, 32, 64, 128, 256, 512, 1024, 2048, 4096] });
    }

    /// <summary>Gets the node id the measurements are tagged with (empty without a meter).</summary>
    public string NodeId { get; }

    /// <summary>Gets the meter, if this node has one.</summary>
    internal Meter? Meter => _meter;

    /// <summary>Counts, besides the node's own drops, those counted by its socket in <paramref name="drops"/>.</summary>
    public void AttachSocketDrops(DropCounters drops) => Volatile.Write(ref _socketDrops, drops);

    /// <summary>Counts a message handed to the network, and the entries of its digest.</summary>
    public void MessageSent(ChitchatMessage message, int bytes)
    {
        if (_messagesSent is not { Enabled: true } && _digestEntries is not { Enabled: true })
        {
            return;
        }

        var tags = _messageTags[MessageIndex(message)];
        _messagesSent!.Add(1, tags);
        _bytesSent!.Add(bytes, tags);
        var digest = message switch
        {
            ChitchatMessage.Syn syn => syn.Digest,
            ChitchatMessage.SynAck synAck => synAck.Digest,
            _ => null,
        };
        if (digest is not null)
        {
            _digestEntries!.Record(digest.Count, tags);
        }
    }

    /// <summary>Counts a message received.</summary>
    public void MessageReceived(ChitchatMessage message, int bytes)
    {
        if (_messagesReceived is { Enabled: true } messages)
        {
            var tags = _messageTags[MessageIndex(message)];
            messages.Add(1, tags);
            _bytesReceived!.Add(bytes, tags);
        }
    }

    /// <summary>Counts a datagram (or a gossip request) refused, wholly or in part, by the node itself.</summary>
    public void Dropped(DatagramDropReason reason)
    {
        _drops.Increment(reason);
        SocketDropped(reason);
    }

    /// <summary>Publishes a drop the socket counted in its own <see cref="DropCounters"/>.</summary>
    public void SocketDropped(DatagramDropReason reason) => _dropped?.Add(1, _nodeTag, _dropReasonTags[(int)reason]);

    /// <summary>Gets the drops counted for <paramref name="reason"/> by the node and its socket.</summary>
    public long DropCount(DatagramDropReason reason) => _drops[reason] + (Volatile.Read(ref _socketDrops)?[reason] ?? 0);

    /// <summary>Counts a gossip round.</summary>
    public void GossipRound() => _gossipRounds?.Add(1, _nodeTag);

    /// <summary>Counts a delta that stopped before its budget ran out of what the peer was missing.</summary>
    public void DeltaTruncated() => _deltaTruncations?.Add(1, _nodeTag);

    /// <summary>Counts a replica reset by a peer's delta.</summary>
    public void ReplicaReset() => _replicaResets?.Add(1, _nodeTag);

    /// <summary>Counts a replica fast-forwarded from a catch-up snapshot.</summary>
    public void CatchupApplied() => _catchups?.Add(1, _nodeTag);

    /// <summary>Records the phi of a peer at a liveness update.</summary>
    public void RecordPhi(double phi)
    {
        if (_phi is { Enabled: true } histogram && double.IsFinite(phi))
        {
            histogram.Record(phi, _nodeTag);
        }
    }

    /// <summary>Publishes the gauges of membership (self counted as live) and of the own state; allocation-free.</summary>
    public void PublishMembership(int live, int dead, int scheduledForDeletion, int ownKeys, long ownBytes)
    {
        Volatile.Write(ref _liveMembers, live);
        Volatile.Write(ref _deadMembers, dead);
        Volatile.Write(ref _scheduledMembers, scheduledForDeletion);
        Volatile.Write(ref _ownKeys, ownKeys);
        Volatile.Write(ref _ownBytes, ownBytes);
    }

    /// <summary>Starts an activity of <see cref="ChitchatDiagnostics.ActivitySource"/> tagged with the node (the current one until disposed).</summary>
    public Activity? StartActivity(string name) =>
        ChitchatDiagnostics.ActivitySource.StartActivity(name, ActivityKind.Internal)?.SetTag(ChitchatDiagnostics.NodeTag, NodeId);

    /// <summary>
    /// Starts the join activity: it ends when a first peer is live (<see cref="OnLivePeers"/>), or when the node stops
    /// before that (<see cref="Dispose"/>). It is not made the current activity: the node's loop must not run in it.
    /// </summary>
    public void StartJoin(int seedCount)
    {
        var join = ChitchatDiagnostics.StartDetachedActivity("chitchat.join", NodeId);
        join?.SetTag("chitchat.join.seeds", seedCount);
        Volatile.Write(ref _join, join);
    }

    /// <summary>Ends the join activity at the first liveness update that finds a live peer; allocation-free otherwise.</summary>
    public void OnLivePeers(int livePeers)
    {
        if (livePeers > 0 && Volatile.Read(ref _join) is not null && Interlocked.Exchange(ref _join, null) is { } join)
        {
            join.SetTag("chitchat.join.outcome", "joined");
            join.SetTag("chitchat.join.live_peers", livePeers);
            join.SetStatus(ActivityStatusCode.Ok);
            join.Stop();
        }
    }

    /// <summary>Ends a pending join activity, stops the gauges, and disposes of the meter if this object created it. Idempotent.</summary>
    public void Dispose()
    {
        if (Interlocked.Exchange(ref _join, null) is { } join)
        {
            // Chitchat never gives up joining on its own: the node stopped before any peer was live.
            join.SetTag("chitchat.join.outcome", "stopped");
            join.SetStatus(ActivityStatusCode.Error, "The node stopped before any peer was live.");
            join.Stop();
        }

        _disposed = true;
        if (_ownsMeter)
        {
            _meter?.Dispose();
        }
    }

    private static int MessageIndex(ChitchatMessage message) => ((int)message.Type << 1) | ((int)message.Version & 1);

    private IEnumerable<Measurement<int>> ObserveOwnKeys() =>
        _disposed ? [] : [new(Volatile.Read(ref _ownKeys), _nodeTag)];

    private IEnumerable<Measurement<long>> ObserveOwnBytes() =>
        _disposed ? [] : [new(Volatile.Read(ref _ownBytes), _nodeTag)];

    private IEnumerable<Measurement<int>> ObserveMembers()
    {
        if (_disposed)
        {
            return [];
        }

        return
        [
            new(Volatile.Read(ref _liveMembers), _nodeTag, new(ChitchatDiagnostics.MemberStateTag, "live")),
            new(Volatile.Read(ref _deadMembers), _nodeTag, new(ChitchatDiagnostics.MemberStateTag, "dead")),
            new(Volatile.Read(ref _scheduledMembers), _nodeTag, new(ChitchatDiagnostics.MemberStateTag, "scheduled_for_deletion")),
        ];
    }
}
