using System.Net;
using System.Collections.Immutable;
using Chitchat.Changes;
using Chitchat.Diagnostics;
using Chitchat.FailureDetection;
using Chitchat.Listeners;
using Chitchat.State;
using Chitchat.Wire;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Chitchat;

/// <summary>
/// The chitchat state machine of one node (the Rust <c>Chitchat</c> object): its own and its peers' node
/// states, the failure detector, the live-members watch and the change log, plus the Scuttlebutt
/// handshake (Syn → SynAck → Ack) that reconciles them.
/// </summary>
/// <remarks>
/// <para>
/// It does no I/O: a <c>ChitchatServer</c> drives it from the network and a timer, or tests drive it by
/// passing messages between instances. All time is read from the injected <see cref="TimeProvider"/>.
/// </para>
/// <para>
/// Not thread-safe: every use holds <see cref="Gate"/>. Nothing mutable leaves the lock: applications go
/// through <see cref="ChitchatRef"/>, which returns immutable snapshots and writes only the own node state.
/// State changes are recorded in <see cref="Changes"/> and delivered to listeners and change streams after
/// the lock is released (<see cref="DispatchChanges"/>).
/// </para>
/// </remarks>
internal sealed partial class ChitchatInstance
{
    private static readonly IReadOnlySet<ChitchatId> s_noneExcluded = new HashSet<ChitchatId>();

    private readonly ClusterState _clusterState;
    private readonly FailureDetector _failureDetector;
    private readonly TimeProvider _timeProvider;
    private readonly ILogger _logger;

    // The size of the live set last published (self included); each member's part is on its node state.
    private int _publishedLiveCount;
    private readonly Logging.LogRateLimiter _membershipLogs;

    // Scratch collections reused by every message and round (the instance is used under one lock).
    private readonly HashSet<ChitchatId> _scheduledForDeletion = [];
    private readonly List<ChitchatId> _garbageCollected = [];

    // Catch-up callbacks due (one per delta that reset a replica), run after the lock is released.
    private int _pendingCatchups;

    // Where the next partial digest starts among the other members (only used when a digest does not fit).
    private int _digestRotation;

    private readonly NewMemberLimiter _newMembers;

    // Members ignored because of MaxMembers or MaxNewMembersPerSource since the last log line about it.
    private int _ignoredMembers;
    private long _lastIgnoredMembersLog;

    /// <summary>Creates the state machine of the node described by <paramref name="config"/>.</summary>
    /// <param name="config">The node's configuration; its initial key-values are set on the own state (versions 1, 2, …).</param>
    /// <param name="timeProvider">The clock (default: the system clock).</param>
    /// <param name="random">The random source for tie shuffling (default: a non-deterministic one).</param>
    /// <param name="loggerFactory">Where to log (default: nowhere).</param>
    /// <param name="chitchatId">The node's identity when it differs from the configured one (bound port 0).</param>
    /// <param name="metrics">The node's counters and meter (default: counters without a meter).</param>
    internal ChitchatInstance(
        ChitchatConfig config,
        TimeProvider? timeProvider = null,
        Random? random = null,
        ILoggerFactory? loggerFactory = null,
        ChitchatId? chitchatId = null,
        ChitchatMetrics? metrics = null)
    {
        ArgumentNullException.ThrowIfNull(config);
        Config = config;
        SelfChitchatId = chitchatId ?? config.ChitchatId;
        _timeProvider = timeProvider ?? TimeProvider.System;
        loggerFactory ??= NullLoggerFactory.Instance;
        _logger = loggerFactory.CreateLogger<ChitchatInstance>();
        _membershipLogs = new Logging.LogRateLimiter(_timeProvider);

        _failureDetector = new FailureDetector(config.FailureDetectorConfig, _timeProvider, loggerFactory.CreateLogger<FailureDetector>());
        _clusterState = new ClusterState(
            new ChangeLog(new ListenerRegistry(loggerFactory.CreateLogger<ListenerRegistry>())),
            _timeProvider,
            random ?? Random.Shared,
            new StateBudget(config.MaxKeysPerNode, config.MaxStateBytesPerNode, config.MaxTotalStateBytes),
            metrics);
        _newMembers = new NewMemberLimiter(config.MaxNewMembersPerSource, config.GossipInterval, _timeProvider);
        _lastIgnoredMembersLog = _timeProvider.GetTimestamp() - (long)(IgnoredMembersLogInterval.TotalSeconds * _timeProvider.TimestampFrequency);

        var self = SelfNodeState;

        // Alive from the start, so that the node answers Syns.
        self.IncrementHeartbeat();
        foreach (var (key, value) in config.InitialKeyValues)
        {
            self.Set(key, value);
        }
    }

    /// <summary>Creates a state machine with extra initial key-values (tests and benchmarks).</summary>
    internal ChitchatInstance(
        ChitchatConfig config,
        IEnumerable<KeyValuePair<string, string>>? initialKeyValues,
        TimeProvider? timeProvider = null,
        Random? random = null,
        ILoggerFactory? loggerFactory = null)
        : this(config, timeProvider, random, loggerFactory)
    {
        if (initialKeyValues is not null)
        {
            foreach (var (key, value) in initialKeyValues)
            {
                SelfNodeState.Set(key, value);
            }
        }
    }

    /// <summary>Gets the lock that guards this instance.</summary>
    internal Lock Gate { get; } = new();

    /// <summary>Gets where state changes wait for delivery.</summary>
    internal ChangeLog Changes => _clusterState.Changes;

    /// <summary>Gets the configuration.</summary>
    public ChitchatConfig Config { get; }

    /// <summary>Gets the cluster id.</summary>
    public string ClusterId => Config.ClusterId;

    /// <summary>Gets this node's identity.</summary>
    public ChitchatId SelfChitchatId { get; }

    /// <summary>Gets this node's own (mutable) state.</summary>
    public NodeState SelfNodeState => _clusterState.NodeStateOrCreate(SelfChitchatId);

    /// <summary>Gets every known node state (self included), in <see cref="ChitchatId"/> order.</summary>
    public IReadOnlyDictionary<ChitchatId, NodeState> NodeStates => _clusterState.NodeStates;

    /// <summary>Gets the live nodes: this node first, then the nodes the failure detector considers live.</summary>
    public IEnumerable<ChitchatId> LiveNodes
    {
        get
        {
            yield return SelfChitchatId;
            foreach (var id in _failureDetector.LiveNodes)
            {
                yield return id;
            }
        }
    }

    /// <summary>Gets the nodes the failure detector considers dead (scheduled-for-deletion ones included).</summary>
    public IEnumerable<ChitchatId> DeadNodes => _failureDetector.DeadNodes;

    /// <summary>
    /// Gets the dead nodes whose death is older than half the dead-node grace period: they are no longer
    /// gossiped about, and are forgotten after the full grace period.
    /// </summary>
    public IEnumerable<ChitchatId> ScheduledForDeletionNodes => _failureDetector.ScheduledForDeletionNodes;

    /// <summary>Gets the current seed addresses.</summary>
    public IReadOnlySet<IPEndPoint> SeedNodes => _clusterState.SeedAddrs;

    /// <summary>Gets the live-members watch: current value and change notifications.</summary>
    public LiveMembersWatch LiveMembers { get; } = new();

    /// <summary>
    /// Gets or sets the datagram size the budgets are computed from: SynAck delta = size − 4 − own digest,
    /// Ack delta = size − 4 (chitchat 0.13's formulas), Syn and SynAck digests partial beyond it. Always
    /// 65,507 in production; tests lower it to force truncated deltas and partial digests.
    /// </summary>
    internal int MaxDatagramPayloadSize { get; set; } = WireFormat.MaxUdpDatagramPayloadSize;

    internal ClusterState ClusterState => _clusterState;

    /// <summary>Gets the node's counters and instruments.</summary>
    internal ChitchatMetrics Metrics => _clusterState.Metrics;

    internal FailureDetector FailureDetector => _failureDetector;

    internal TimeProvider TimeProvider => _timeProvider;

    internal ILogger Logger => _logger;

    /// <summary>Gets the limiter of log events that peers can trigger per message.</summary>
    internal Logging.LogRateLimiter PeerProblems => _clusterState.PeerProblems;

    /// <summary>Returns the state of <paramref name="id"/>, if known.</summary>
    /// <param name="id">The node.</param>
    /// <returns>Its state, or <see langword="null"/>.</returns>
    public NodeState? NodeState(ChitchatId id) => _clusterState.NodeState(id);

    /// <summary>Explains the failure detector's view of <paramref name="id"/>: phi, last heartbeat, state.</summary>
    /// <param name="id">The node.</param>
    /// <param name="liveness">The explanation.</param>
    /// <returns>Whether the failure detector knows the node.</returns>
    public bool TryGetLiveness(ChitchatId id, out NodeLiveness liveness) => _failureDetector.TryGetLiveness(id, out liveness);

    /// <summary>
    /// Returns how long after its last heartbeat <paramref name="id"/> would be declared dead if none came: the
    /// smoothed mean heartbeat interval times <see cref="FailureDetectorConfig.PhiThreshold"/>.
    /// </summary>
    /// <param name="id">The node.</param>
    /// <returns>
    /// The timeout, or <see langword="null"/> for this node itself, for an unknown node, and while no interval is
    /// recorded (for instance right after the node was declared dead).
    /// </returns>
    public TimeSpan? FailureDetectionTimeout(ChitchatId id)
    {
        ArgumentNullException.ThrowIfNull(id);
        return id.Equals(SelfChitchatId) ? null : _failureDetector.FailureDetectionTimeout(id);
    }

    /// <summary>Returns an immutable snapshot of the cluster state; unchanged node states are shared with earlier snapshots.</summary>
    /// <returns>The snapshot.</returns>
    public ClusterStateSnapshot StateSnapshot()
    {
        var seeds = ImmutableArray.CreateBuilder<IPEndPoint>(_clusterState.SeedAddrs.Count);
        foreach (var seed in _clusterState.SeedAddrs)
        {
            seeds.Add(new IPEndPoint(seed.Address, seed.Port));
        }

        seeds.Sort(static (a, b) => string.CompareOrdinal(a.ToString(), b.ToString()));
        return new ClusterStateSnapshot(
            ClusterId,
            SelfChitchatId,
            _clusterState.SnapshotNodeStates(),
            seeds.MoveToImmutable(),
            [SelfChitchatId, .. _failureDetector.LiveNodes.Order()],
            [.. DeadNodes.Order()],
            [.. ScheduledForDeletionNodes.Order()]);
    }

    /// <summary>
    /// Subscribes to changes of visible keys starting with <paramref name="prefix"/>, on every node including
    /// this one. The callback runs after the lock is released, in change order, never re-entrantly.
    /// </summary>
    /// <param name="prefix">The key prefix (empty = every key); the event's key has it stripped.</param>
    /// <param name="callback">The callback.</param>
    /// <returns>A handle whose disposal unsubscribes.</returns>
    public ListenerHandle SubscribeEvent(string prefix, Action<ClusterChange> callback) =>
        Changes.Listeners.Subscribe(prefix, callback);

    /// <summary>
    /// Delivers the recorded changes to listeners and streams, then runs the catch-up callbacks that became due;
    /// call after releasing <see cref="Gate"/>.
    /// </summary>
    internal void DispatchChanges()
    {
        Changes.Dispatch(Gate);
        if (Volatile.Read(ref _pendingCatchups) != 0)
        {
            RunPendingCatchups();
        }
    }

    internal void SetSeedAddrs(IReadOnlySet<IPEndPoint> seedAddrs) => _clusterState.SeedAddrs = seedAddrs;
}
