using System.Diagnostics;
using System.Diagnostics.Metrics;
using Chitchat.Wire;

namespace Chitchat.Diagnostics;

/// <summary>
/// The telemetry of one node: lock-free counters written where things happen, and the instruments of the
/// <c>Chitchat</c> meter that publish them (docs/METRICS.md lists every one).
/// </summary>
/// <remarks>
/// <para>
/// Counts are kept in plain 64-bit counters (an interlocked increment, no allocation, whether or not anything
/// listens) and published by observable instruments, whose callbacks read them without taking the node's lock and
/// never throw. Gauges of membership and of the own state are published by the gossip loop once a round
/// (<see cref="PublishMembership"/>), so a scrape reads them, at most one gossip interval old, without the lock.
/// Only the distributions (phi, digest entries) are recorded as they happen, into histograms.
/// </para>
/// <para>
/// Every measurement carries the node tag (<see cref="ChitchatDiagnostics.NodeTag"/>), so the nodes of one process
/// stay apart; no measurement is ever tagged by peer, so the number of series is bounded.
/// </para>
/// <para>
/// The meter is created by the <see cref="IMeterFactory"/> when one is given (the factory owns it and disposes of
/// it; a factory may return the same meter to several nodes, whose identical instruments exporters aggregate, told
/// apart by the node tag), otherwise directly, owned by this object. <see cref="Dispose"/> (when the node stops)
/// disposes of an owned meter and makes the observable instruments report nothing more either way.
/// </para>
/// <para>Thread-safe.</para>
/// </remarks>
internal sealed class ChitchatMetrics : IDisposable
{
    // Message and byte counts by direction, indexed by MessageIndex(type, version).
    private const int MessageSlots = 4 * 2;

    private static readonly string[] s_messageTypes = ["syn", "syn_ack", "ack", "bad_cluster"];
    private static readonly object[] s_versions = [0, 1];

    private readonly long[] _sentMessages = new long[MessageSlots];
    private readonly long[] _sentBytes = new long[MessageSlots];
    private readonly long[] _receivedMessages = new long[MessageSlots];
    private readonly long[] _receivedBytes = new long[MessageSlots];
    private readonly KeyValuePair<string, object?> _nodeTag;
    private readonly KeyValuePair<string, object?>[][] _messageTags = new KeyValuePair<string, object?>[MessageSlots][];
    private readonly Meter? _meter;
    private readonly bool _ownsMeter;
    private readonly Histogram<double>? _phi;
    private readonly Histogram<int>? _digestEntries;
    private DropCounters? _socketDrops;
    private long _gossipRounds;
    private long _deltaTruncations;
    private long _replicaResets;
    private long _catchups;
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

        if (!createMeter)
        {
            return;
        }

        var options = new MeterOptions(ChitchatDiagnostics.Name) { Version = ChitchatDiagnostics.Version };
        _meter = meterFactory?.Create(options) ?? new Meter(options);
        _ownsMeter = meterFactory is null;
        CreateObservableInstruments(_meter);
        _phi = _meter.CreateHistogram(
            "chitchat.failure_detector.phi",
            unit: "1",
            description: "Phi of each live peer at each liveness update (a peer is dead above the phi threshold, 8 by default).",
            tags: null,
            advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = [0.5, 1, 2, 3, 4, 5, 6, 7, 8, 10, 12, 16, 24] });
        _digestEntries = _meter.CreateHistogram(
            "chitchat.digest.entries",
            unit: "{entry}",
            description: "Entries of each digest sent (in Syns and SynAcks); below the member count when the digest was partial.",
            tags: null,
            advice: new InstrumentAdvice<int> { HistogramBucketBoundaries = [1, 2, 4, 8, 16, 32, 64, 128, 256, 512, 1024, 2048, 4096] });
    }

    /// <summary>Gets the node id the measurements are tagged with (empty without a meter).</summary>
    public string NodeId => (string)_nodeTag.Value!;

    /// <summary>Gets the drops counted by the node itself (the state machine and the gossip loop).</summary>
    public DropCounters Drops { get; } = new();

    /// <summary>Gets the meter, if this node has one (tests).</summary>
    internal Meter? Meter => _meter;

    /// <summary>Publishes, besides the node's own drops, those counted by its socket (decode and encryption failures).</summary>
    public void AttachSocketDrops(DropCounters drops) => Volatile.Write(ref _socketDrops, drops);

    /// <summary>Counts a message handed to the network.</summary>
    public void MessageSent(ChitchatMessage message, int bytes)
    {
        var slot = MessageIndex(message);
        Interlocked.Increment(ref _sentMessages[slot]);
        Interlocked.Add(ref _sentBytes[slot], bytes);
        var digest = message switch
        {
            ChitchatMessage.Syn syn => syn.Digest,
            ChitchatMessage.SynAck synAck => synAck.Digest,
            _ => null,
        };
        if (digest is not null && _digestEntries is { Enabled: true } histogram)
        {
            histogram.Record(digest.Count, _messageTags[slot]);
        }
    }

    /// <summary>Counts a message received.</summary>
    public void MessageReceived(ChitchatMessage message, int bytes)
    {
        var slot = MessageIndex(message);
        Interlocked.Increment(ref _receivedMessages[slot]);
        Interlocked.Add(ref _receivedBytes[slot], bytes);
    }

    /// <summary>Counts a gossip round.</summary>
    public void GossipRound() => Interlocked.Increment(ref _gossipRounds);

    /// <summary>Counts a delta that stopped before its budget ran out of what the peer was missing.</summary>
    public void DeltaTruncated() => Interlocked.Increment(ref _deltaTruncations);

    /// <summary>Counts a replica reset by a peer's delta.</summary>
    public void ReplicaReset() => Interlocked.Increment(ref _replicaResets);

    /// <summary>Counts a replica fast-forwarded from a catch-up snapshot.</summary>
    public void CatchupApplied() => Interlocked.Increment(ref _catchups);

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

    /// <summary>Gets the drops counted for <paramref name="reason"/> by the node and its socket.</summary>
    public long DropCount(DatagramDropReason reason) => Drops[reason] + (Volatile.Read(ref _socketDrops)?[reason] ?? 0);

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

    /// <summary>Stops publishing; disposes of the meter if this object created it. Idempotent.</summary>
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

    private void CreateObservableInstruments(Meter meter)
    {
        meter.CreateObservableCounter(
            "chitchat.messages.sent", () => ObserveMessages(_sentMessages), "{message}",
            "Chitchat messages handed to the network, by message type and protocol version.");
        meter.CreateObservableCounter(
            "chitchat.messages.received", () => ObserveMessages(_receivedMessages), "{message}",
            "Chitchat messages received and decoded, by message type and protocol version.");
        meter.CreateObservableCounter(
            "chitchat.bytes.sent", () => ObserveMessages(_sentBytes), "By",
            "Bytes of the chitchat messages handed to the network (as the transport sent them), by message type and protocol version.");
        meter.CreateObservableCounter(
            "chitchat.bytes.received", () => ObserveMessages(_receivedBytes), "By",
            "Bytes of the datagrams received and decoded, by message type and protocol version.");
        meter.CreateObservableCounter(
            "chitchat.datagrams.dropped", ObserveDrops, "{datagram}",
            "Datagrams (or gossip requests) refused, wholly or in part, by reason.");
        meter.CreateObservableCounter(
            "chitchat.gossip.rounds", () => Observe(ref _gossipRounds), "{round}",
            "Gossip rounds run.");
        meter.CreateObservableCounter(
            "chitchat.delta.truncations", () => Observe(ref _deltaTruncations), "{delta}",
            "Deltas cut short by their datagram budget while the peer was missing more.");
        meter.CreateObservableCounter(
            "chitchat.replica.resets", () => Observe(ref _replicaResets), "{reset}",
            "Replicas of peers reset by a delta (their owner garbage-collected tombstones this node had not seen).");
        meter.CreateObservableCounter(
            "chitchat.replica.catchups", () => Observe(ref _catchups), "{catchup}",
            "Replicas fast-forwarded from a catch-up snapshot (ChitchatRef.TryResetNodeState).");
        meter.CreateObservableGauge(
            "chitchat.members", ObserveMembers, "{member}",
            "Members known, by state: live (this node included), dead, scheduled for deletion (dead for half the grace period, no longer gossiped about).");
        meter.CreateObservableGauge(
            "chitchat.state.keys", () => ObserveGauge(ref _ownKeys), "{key}",
            "Keys of this node's own state (tombstones excluded).");
        meter.CreateObservableGauge(
            "chitchat.state.bytes", () => ObserveGauge(ref _ownBytes), "By",
            "Memory held by this node's own state against its state budget.");
    }

    // The callbacks: no lock, no exception, nothing after disposal.
    private IEnumerable<Measurement<long>> ObserveMessages(long[] counts)
    {
        if (_disposed)
        {
            return [];
        }

        var measurements = new List<Measurement<long>>(MessageSlots);
        for (var slot = 0; slot < MessageSlots; slot++)
        {
            var value = Volatile.Read(ref counts[slot]);
            if (value != 0)
            {
                measurements.Add(new Measurement<long>(value, _messageTags[slot]));
            }
        }

        return measurements;
    }

    private IEnumerable<Measurement<long>> ObserveDrops()
    {
        if (_disposed)
        {
            return [];
        }

        var measurements = new Measurement<long>[DatagramDropReasons.Count];
        for (var i = 0; i < measurements.Length; i++)
        {
            var reason = (DatagramDropReason)i;
            measurements[i] = new Measurement<long>(
                DropCount(reason), _nodeTag, new(ChitchatDiagnostics.DropReasonTag, DatagramDropReasons.TagValue(reason)));
        }

        return measurements;
    }

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

    private IEnumerable<Measurement<long>> Observe(ref long counter) =>
        _disposed ? [] : [new(Volatile.Read(ref counter), _nodeTag)];

    private IEnumerable<Measurement<long>> ObserveGauge(ref long gauge) =>
        _disposed ? [] : [new(Volatile.Read(ref gauge), _nodeTag)];

    private IEnumerable<Measurement<int>> ObserveGauge(ref int gauge) =>
        _disposed ? [] : [new(Volatile.Read(ref gauge), _nodeTag)];
}
