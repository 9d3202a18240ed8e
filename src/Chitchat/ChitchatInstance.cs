using System.Net;
using Chitchat.FailureDetection;
using Chitchat.Listeners;
using Chitchat.State;
using Chitchat.Wire;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Chitchat;

/// <summary>
/// The chitchat state machine of one node (the Rust <c>Chitchat</c> object): its own and its peers' node
/// states, the failure detector, the live-nodes watch and the key-change listeners, plus the Scuttlebutt
/// handshake (Syn → SynAck → Ack) that reconciles them.
/// </summary>
/// <remarks>
/// <para>
/// It does no I/O: a <c>ChitchatServer</c> drives it from the network and a timer, or tests drive it by
/// passing messages between instances. All time is read from the injected <see cref="TimeProvider"/>.
/// </para>
/// <para>
/// Not thread-safe. Inside a server it is guarded by a lock (<c>ChitchatRef</c>): reach it only through
/// <c>ChitchatHandle.WithChitchat</c>. Listener callbacks run under that lock.
/// </para>
/// </remarks>
public sealed partial class ChitchatInstance
{
    private static readonly IReadOnlySet<ChitchatId> s_noneExcluded = new HashSet<ChitchatId>();

    private readonly ClusterState _clusterState;
    private readonly FailureDetector _failureDetector;
    private readonly TimeProvider _timeProvider;
    private readonly ILogger _logger;
    private readonly Dictionary<ChitchatId, ulong> _previousLiveNodes = [];

    // Scratch collections reused by every message and round (the instance is used under one lock).
    private readonly HashSet<ChitchatId> _scheduledForDeletion = [];
    private readonly List<ChitchatId> _garbageCollected = [];

    // Where the next partial digest starts among the other members (only used when a digest does not fit).
    private int _digestRotation;

    private readonly NewMemberLimiter _newMembers;

    // Members ignored because of MaxMembers or MaxNewMembersPerSource since the last log line about it.
    private int _ignoredMembers;
    private long _lastIgnoredMembersLog;

    /// <summary>Creates the state machine of the node described by <paramref name="config"/>.</summary>
    /// <param name="config">The node's configuration.</param>
    /// <param name="initialKeyValues">Key-values set on the own node state at start (versions 1, 2, …).</param>
    /// <param name="timeProvider">The clock (default: the system clock).</param>
    /// <param name="random">The random source for tie shuffling (default: a non-deterministic one).</param>
    /// <param name="loggerFactory">Where to log (default: nowhere).</param>
    public ChitchatInstance(
        ChitchatConfig config,
        IEnumerable<KeyValuePair<string, string>>? initialKeyValues = null,
        TimeProvider? timeProvider = null,
        Random? random = null,
        ILoggerFactory? loggerFactory = null)
    {
        ArgumentNullException.ThrowIfNull(config);
        Config = config;
        _timeProvider = timeProvider ?? TimeProvider.System;
        loggerFactory ??= NullLoggerFactory.Instance;
        _logger = loggerFactory.CreateLogger<ChitchatInstance>();
        _failureDetector = new FailureDetector(config.FailureDetectorConfig, _timeProvider);
        _clusterState = new ClusterState(
            new ListenerRegistry(loggerFactory.CreateLogger<ListenerRegistry>()),
            _timeProvider,
            random ?? Random.Shared,
            new StateBudget(config.MaxKeysPerNode, config.MaxStateBytesPerNode, config.MaxTotalStateBytes));
        _newMembers = new NewMemberLimiter(config.MaxNewMembersPerSource, config.GossipInterval, _timeProvider);
        _lastIgnoredMembersLog = _timeProvider.GetTimestamp() - (long)(IgnoredMembersLogInterval.TotalSeconds * _timeProvider.TimestampFrequency);

        var self = SelfNodeState;

        // Alive from the start, so that the node answers Syns.
        self.IncrementHeartbeat();
        if (initialKeyValues is not null)
        {
            foreach (var (key, value) in initialKeyValues)
            {
                self.Set(key, value);
            }
        }
    }

    /// <summary>Gets the configuration.</summary>
    public ChitchatConfig Config { get; }

    /// <summary>Gets the cluster id.</summary>
    public string ClusterId => Config.ClusterId;

    /// <summary>Gets this node's identity.</summary>
    public ChitchatId SelfChitchatId => Config.ChitchatId;

    /// <summary>Gets this node's own state; applications set and delete their keys here.</summary>
    public NodeState SelfNodeState => _clusterState.NodeStateOrCreate(Config.ChitchatId);

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

    /// <summary>Gets the live nodes watch (§11): current value and change notifications.</summary>
    public LiveNodesWatch LiveNodesWatch { get; } = new();

    /// <summary>
    /// Gets or sets the datagram size the budgets are computed from: SynAck delta = size − 4 − own digest,
    /// Ack delta = size − 4 (chitchat 0.13's formulas), Syn and SynAck digests partial beyond it. Always
    /// 65,507 in production; tests lower it to force truncated deltas and partial digests.
    /// </summary>
    internal int MaxDatagramPayloadSize { get; set; } = WireFormat.MaxUdpDatagramPayloadSize;

    internal ClusterState ClusterState => _clusterState;

    internal FailureDetector FailureDetector => _failureDetector;

    internal TimeProvider TimeProvider => _timeProvider;

    internal ILogger Logger => _logger;

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

    /// <summary>Returns a deep copy of the cluster state (node states in id order and seed addresses).</summary>
    /// <returns>The snapshot.</returns>
    public ClusterStateSnapshot StateSnapshot() => _clusterState.Snapshot();

    /// <summary>
    /// Copies what the node reports about itself (the chitchat-test <c>GET /</c> document): cluster id, node
    /// states, seeds, live and dead nodes. Cheap enough to call under the lock; serialize it afterwards.
    /// </summary>
    /// <returns>The document.</returns>
    public ChitchatStateDocument CreateStateDocument() =>
        new(ClusterId, StateSnapshot(), [.. LiveNodes], [.. DeadNodes]);

    /// <summary>
    /// Subscribes to changes of visible keys starting with <paramref name="prefix"/>, on every node including
    /// this one. The callback runs synchronously under the node's lock: keep it short.
    /// </summary>
    /// <param name="prefix">The key prefix (empty = every key); the event's key has it stripped.</param>
    /// <param name="callback">The callback.</param>
    /// <returns>A handle whose disposal unsubscribes.</returns>
    public ListenerHandle SubscribeEvent(string prefix, Action<KeyChangeEvent> callback) =>
        _clusterState.Listeners.Subscribe(prefix, callback);

    internal void SetSeedAddrs(IReadOnlySet<IPEndPoint> seedAddrs) => _clusterState.SeedAddrs = seedAddrs;
}
