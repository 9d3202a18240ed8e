using System.Runtime.InteropServices;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Chitchat.FailureDetection;

/// <summary>
/// Decides which remote nodes are live from the arrival times of their heartbeats.
/// </summary>
/// <remarks>
/// <para>
/// Port of chitchat <c>failure_detector.rs</c> <c>FailureDetector</c>. It is an accrual failure detector
/// in the sense of Hayashibara et al., "The φ Accrual Failure Detector" (SRDS 2004): instead of a boolean
/// it computes a suspicion level per node and compares it with a threshold. The suspicion level is
/// chitchat's (see <see cref="SamplingWindow"/>), not the paper's, so that a .NET node and a Rust node
/// with the same configuration reach the same verdicts.
/// </para>
/// <para>
/// Each remote node gets a <see cref="SamplingWindow"/> of recent heartbeat intervals. The owner calls
/// <see cref="ReportHeartbeat(ChitchatId)"/> whenever a node's heartbeat increases, <see cref="UpdateNodeLiveness"/>
/// for every known node at the end of each gossip round, then <see cref="GarbageCollect()"/>. A node is live
/// while its phi is at most <see cref="FailureDetectorConfig.PhiThreshold"/>; otherwise it is dead from the
/// first update that found it so, and forgotten after <see cref="FailureDetectorConfig.DeadNodeGracePeriod"/>.
/// The local node itself is never tracked: the caller adds it to the live set.
/// </para>
/// <para>
/// Time is read only from the injected <see cref="System.TimeProvider"/>. The steady path
/// (<see cref="ReportHeartbeat(ChitchatId)"/> for a known node) does not allocate.
/// </para>
/// <para>
/// Thread safety: this type is not thread-safe. Its owner (the Chitchat state machine) calls it under its
/// own lock; the collections returned by <see cref="LiveNodes"/>, <see cref="DeadNodes"/> and
/// <see cref="ScheduledForDeletionNodes"/> are live views that must be enumerated under that same lock and
/// not while the detector is being modified.
/// </para>
/// </remarks>
internal sealed partial class FailureDetector
{
    // One entry per tracked node: its window holds the verdict and the time of death too. A node keeps one entry per
    // member of the cluster, so a single table (rather than a table each for windows, live and dead nodes) is what
    // keeps a large cluster's memory in proportion.
    private readonly Dictionary<ChitchatId, SamplingWindow> _windows = new();
    private readonly SamplingWindow.Settings _windowSettings;
    private int _liveNodeCount;
    private int _deadNodeCount;

    private readonly double _phiThreshold;
    private readonly TimeSpan _deadNodeGracePeriod;
    private readonly ILogger _logger;

    /// <summary>Creates a failure detector that knows no node.</summary>
    /// <param name="config">The settings; validated, then copied (later changes have no effect).</param>
    /// <param name="timeProvider">The clock every instant is read from.</param>
    /// <param name="logger">Receives liveness transitions at Debug level; <see langword="null"/> for none.</param>
    /// <exception cref="ArgumentNullException"><paramref name="config"/> or <paramref name="timeProvider"/> is null.</exception>
    /// <exception cref="ArgumentOutOfRangeException">A setting of <paramref name="config"/> is invalid.</exception>
    public FailureDetector(FailureDetectorConfig config, TimeProvider timeProvider, ILogger? logger = null)
    {
        ArgumentNullException.ThrowIfNull(config);
        ArgumentNullException.ThrowIfNull(timeProvider);
        config.Validate();
        Config = config.Clone();
        TimeProvider = timeProvider;
        _phiThreshold = Config.PhiThreshold;
        _windowSettings = new SamplingWindow.Settings(Config.SamplingWindowSize, Config.MaxInterval, Config.InitialInterval, timeProvider);
        _deadNodeGracePeriod = Config.DeadNodeGracePeriod;
        _logger = logger ?? NullLogger.Instance;
    }

    /// <summary>Gets a copy of the settings in use (changing it has no effect on the detector).</summary>
    public FailureDetectorConfig Config { get; }

    /// <summary>Gets the clock every instant is read from.</summary>
    public TimeProvider TimeProvider { get; }

    /// <summary>Gets the nodes found live by their last liveness update (self never included). A live view.</summary>
    public IEnumerable<ChitchatId> LiveNodes => _liveNodeCount == 0 ? [] : WithVerdict(NodeLivenessState.Live);

    /// <summary>Gets the nodes found dead and not yet garbage-collected. A live view.</summary>
    public IEnumerable<ChitchatId> DeadNodes => _deadNodeCount == 0 ? [] : WithVerdict(NodeLivenessState.Dead);

    /// <summary>
    /// Gets the dead nodes whose time of death is more than half the grace period ago (strictly), as of
    /// the moment this property is read. These are no longer advertised to peers.
    /// </summary>
    public IEnumerable<ChitchatId> ScheduledForDeletionNodes => EnumerateScheduledForDeletion(TimeProvider.GetTimestamp());

    /// <summary>
    /// Gets or sets a callback run when a live node is declared dead (not when a node that was never live joins the
    /// dead set, nor when one leaves). The simulation kit counts false deaths with it.
    /// </summary>
    internal Action<ChitchatId>? LiveNodeDied { get; set; }

    /// <summary>Records a heartbeat increase of <paramref name="id"/> now, creating its window if needed.</summary>
    /// <remarks>
    /// The interval since the previous report is recorded if it is at most the maximum interval; the
    /// report always becomes the new last heartbeat. Allocates nothing once the node has a window.
    /// </remarks>
    /// <param name="id">The remote node whose heartbeat increased.</param>
    public void ReportHeartbeat(ChitchatId id) => ReportHeartbeat(id, TimeProvider.GetTimestamp());

    /// <summary>Records a heartbeat of <paramref name="id"/> received at <paramref name="timestamp"/>.</summary>
    /// <remarks>A digest reports many heartbeats at once: the caller reads the clock once for all of them.</remarks>
    /// <param name="id">The remote node.</param>
    /// <param name="timestamp">When the heartbeat was received, a <see cref="TimeProvider"/> timestamp.</param>
    internal void ReportHeartbeat(ChitchatId id, long timestamp)
    {
        ArgumentNullException.ThrowIfNull(id);
        Entry(id, tracking: true).ReportHeartbeat(timestamp);
    }

    /// <summary>Makes sure <paramref name="id"/> has a sampling window, without recording a heartbeat.</summary>
    /// <remarks>
    /// Used when a replica is reset: the node becomes known to the detector, so it will
    /// be judged and eventually garbage-collected, but a reset is not evidence that it is alive.
    /// </remarks>
    /// <param name="id">The remote node.</param>
    public void EnsureSamplingWindow(ChitchatId id)
    {
        ArgumentNullException.ThrowIfNull(id);
        Entry(id, tracking: true);
    }

    /// <summary>Re-evaluates whether <paramref name="id"/> is live.</summary>
    /// <remarks>
    /// <para>
    /// Port of chitchat <c>FailureDetector::update_node_liveness</c>. The node is alive iff it has a phi and
    /// phi ≤ threshold; an unknown node, or one with fewer than two heartbeats since its window was last
    /// cleared, is not alive.
    /// </para>
    /// <para>
    /// Alive: the node joins the live set and leaves the dead set. Not alive: it leaves the live set, gets
    /// a time of death (now) unless it already has one, and its window is cleared so that it is judged
    /// on fresh intervals if it comes back.
    /// </para>
    /// </remarks>
    /// <param name="id">The remote node.</param>
    /// <returns>The phi the decision was made on, or <see langword="null"/> when the node has none.</returns>
    public double? UpdateNodeLiveness(ChitchatId id)
    {
        ArgumentNullException.ThrowIfNull(id);
        var now = TimeProvider.GetTimestamp();
        _windows.TryGetValue(id, out var window);
        var phi = window?.Phi(now);
        var isAlive = phi is { } value && value <= _phiThreshold;
        if (isAlive)
        {
            if (window!.Verdict != NodeLivenessState.Live)
            {
                SetVerdict(window, NodeLivenessState.Live);
                Log.NodeLive(_logger, id, phi, _phiThreshold);
            }

            return phi;
        }

        // A node never heard from is dead too, with an entry that holds only that verdict.
        window ??= Entry(id, tracking: false);
        if (window.Verdict != NodeLivenessState.Dead)
        {
            var wasLive = window.Verdict == NodeLivenessState.Live;
            SetVerdict(window, NodeLivenessState.Dead);
            window.TimeOfDeath = now;
            if (wasLive)
            {
                LiveNodeDied?.Invoke(id);
            }

            Log.NodeDead(_logger, id, phi, _phiThreshold);
        }

        window.Reset();
        return phi;
    }

    /// <summary>Gets the number of nodes in the live set.</summary>
    public int LiveNodeCount => _liveNodeCount;

    /// <summary>Gets the number of nodes in the dead set (scheduled-for-deletion ones included).</summary>
    public int DeadNodeCount => _deadNodeCount;

    /// <summary>
    /// Forgets the dead nodes whose grace period has fully elapsed (now ≥ time of death + grace period),
    /// dropping their windows, and returns them.
    /// </summary>
    /// <returns>The forgotten nodes, in no particular order; the caller removes their states.</returns>
    public List<ChitchatId> GarbageCollect()
    {
        var collected = new List<ChitchatId>();
        GarbageCollect(collected);
        return collected;
    }

    /// <summary>
    /// Like <see cref="GarbageCollect()"/>, but appends the forgotten nodes to <paramref name="collected"/>
    /// (allocates nothing when no node is due).
    /// </summary>
    /// <param name="collected">Receives the forgotten nodes; it is not cleared first.</param>
    public void GarbageCollect(List<ChitchatId> collected)
    {
        ArgumentNullException.ThrowIfNull(collected);
        if (_deadNodeCount == 0)
        {
            return;
        }

        var now = TimeProvider.GetTimestamp();
        var start = collected.Count;
        foreach (var (id, window) in _windows)
        {
            if (window.Verdict == NodeLivenessState.Dead && TimeProvider.GetElapsedTime(window.TimeOfDeath, now) >= _deadNodeGracePeriod)
            {
                collected.Add(id);
            }
        }

        for (var i = start; i < collected.Count; i++)
        {
            var id = collected[i];
            _windows.Remove(id);
            _deadNodeCount--;
            Log.NodeGarbageCollected(_logger, id, _deadNodeGracePeriod);
        }
    }

    /// <summary>
    /// Fills <paramref name="destination"/> (cleared first) with <see cref="ScheduledForDeletionNodes"/>,
    /// without allocating when the set is large enough.
    /// </summary>
    /// <param name="destination">The set to fill.</param>
    public void CollectScheduledForDeletion(HashSet<ChitchatId> destination)
    {
        ArgumentNullException.ThrowIfNull(destination);
        destination.Clear();
        if (_deadNodeCount == 0)
        {
            return;
        }

        var now = TimeProvider.GetTimestamp();
        foreach (var (id, window) in _windows)
        {
            if (window.Verdict == NodeLivenessState.Dead && IsPastHalfGracePeriod(TimeProvider.GetElapsedTime(window.TimeOfDeath, now)))
            {
                destination.Add(id);
            }
        }
    }

    /// <summary>Returns whether the last liveness update found <paramref name="id"/> live.</summary>
    /// <param name="id">The remote node.</param>
    /// <returns>Whether the node is in the live set.</returns>
    public bool IsLive(ChitchatId id) => _windows.TryGetValue(id, out var window) && window.Verdict == NodeLivenessState.Live;

    /// <summary>Returns whether <paramref name="id"/> is dead and not yet garbage-collected.</summary>
    /// <param name="id">The remote node.</param>
    /// <returns>Whether the node is in the dead set.</returns>
    public bool IsDead(ChitchatId id) => _windows.TryGetValue(id, out var window) && window.Verdict == NodeLivenessState.Dead;

    /// <summary>Returns whether <paramref name="id"/> has a sampling window (is tracked by the detector).</summary>
    /// <param name="id">The remote node.</param>
    /// <returns>Whether the node has a window.</returns>
    public bool HasSamplingWindow(ChitchatId id) => _windows.TryGetValue(id, out var window) && window.IsTracking;

    /// <summary>Returns the current phi of <paramref name="id"/>.</summary>
    /// <param name="id">The remote node.</param>
    /// <returns>Phi, or <see langword="null"/> when the node is unknown or has no recorded interval.</returns>
    public double? Phi(ChitchatId id) =>
        _windows.TryGetValue(id, out var window) && window.IsTracking ? window.Phi(TimeProvider.GetTimestamp()) : null;

    /// <summary>
    /// Returns how long after its last heartbeat <paramref name="id"/> would be declared dead if no other heartbeat
    /// came: the smoothed mean interval times the phi threshold (chitchat 0.13's <c>failure_detection_timeout</c>).
    /// </summary>
    /// <param name="id">The remote node.</param>
    /// <returns>The timeout, or <see langword="null"/> when the node is unknown or has no recorded interval.</returns>
    public TimeSpan? FailureDetectionTimeout(ChitchatId id) =>
        _windows.TryGetValue(id, out var window) && window.IsTracking && window.MeanIntervalSeconds is { } mean
            ? TimeSpan.FromSeconds(mean * _phiThreshold)
            : null;

    /// <summary>Explains the detector's current view of <paramref name="id"/>.</summary>
    /// <param name="id">The remote node.</param>
    /// <param name="liveness">The verdict and the figures behind it, all computed at the same instant.</param>
    /// <returns>
    /// <see langword="false"/> when the detector does not know the node (never reported, or garbage-collected).
    /// </returns>
    public bool TryGetLiveness(ChitchatId id, out NodeLiveness liveness)
    {
        ArgumentNullException.ThrowIfNull(id);
        if (!_windows.TryGetValue(id, out var entry))
        {
            liveness = default;
            return false;
        }

        var isLive = entry.Verdict == NodeLivenessState.Live;
        var isDead = entry.Verdict == NodeLivenessState.Dead;
        var window = entry.IsTracking ? entry : null;
        var now = TimeProvider.GetTimestamp();
        TimeSpan? sinceDeath = isDead ? TimeProvider.GetElapsedTime(entry.TimeOfDeath, now) : null;
        var state = isLive ? NodeLivenessState.Live
            : !isDead ? NodeLivenessState.Unknown
            : IsPastHalfGracePeriod(sinceDeath!.Value) ? NodeLivenessState.ScheduledForDeletion
            : NodeLivenessState.Dead;
        var mean = window?.MeanIntervalSeconds;
        liveness = new NodeLiveness(
            id,
            state,
            window?.Phi(now),
            _phiThreshold,
            window?.SinceLastHeartbeat(now),
            mean is { } seconds ? TimeSpan.FromSeconds(seconds) : null,
            window?.IntervalCount ?? 0,
            sinceDeath);
        return true;
    }

    // The entry of id, created if needed. A tracking entry is a sampling window proper (heartbeats, an explicit
    // request); a new entry that is not tracking only holds a verdict on a node the detector never heard from.
    private SamplingWindow Entry(ChitchatId id, bool tracking)
    {
        ref var window = ref CollectionsMarshal.GetValueRefOrAddDefault(_windows, id, out var exists);
        if (!exists)
        {
            window = new SamplingWindow(_windowSettings) { IsTracking = tracking };
        }
        else if (tracking)
        {
            window!.IsTracking = true;
        }

        return window!;
    }

    // Moves a window from one verdict to another, keeping the live and dead counts.
    private void SetVerdict(SamplingWindow window, NodeLivenessState verdict)
    {
        switch (window.Verdict)
        {
            case NodeLivenessState.Live:
                _liveNodeCount--;
                break;
            case NodeLivenessState.Dead:
                _deadNodeCount--;
                break;
        }

        switch (verdict)
        {
            case NodeLivenessState.Live:
                _liveNodeCount++;
                break;
            case NodeLivenessState.Dead:
                _deadNodeCount++;
                break;
        }

        window.Verdict = verdict;
    }

    private IEnumerable<ChitchatId> WithVerdict(NodeLivenessState verdict)
    {
        foreach (var (id, window) in _windows)
        {
            if (window.Verdict == verdict)
            {
                yield return id;
            }
        }
    }

    // Strict: exactly half the grace period after death is not yet "scheduled". Integer halving is exact
    // here: for an odd tick count 2k+1, "elapsed > k + 0.5" and "elapsed > k" agree on integers.
    private bool IsPastHalfGracePeriod(TimeSpan sinceDeath) => sinceDeath.Ticks > _deadNodeGracePeriod.Ticks / 2;

    private IEnumerable<ChitchatId> EnumerateScheduledForDeletion(long now)
    {
        foreach (var (id, window) in _windows)
        {
            if (window.Verdict == NodeLivenessState.Dead && IsPastHalfGracePeriod(TimeProvider.GetElapsedTime(window.TimeOfDeath, now)))
            {
                yield return id;
            }
        }
    }
}
