using System.Diagnostics.CodeAnalysis;
using Chitchat.Changes;
using Chitchat.FailureDetection;
using Chitchat.State;

namespace Chitchat;

/// <summary>
/// What an application does with a running node: read immutable snapshots of the cluster, write the node's
/// own key-values, and follow changes. Port of chitchat's <c>Arc&lt;Mutex&lt;Chitchat&gt;&gt;</c>, made safe.
/// </summary>
/// <remarks>
/// <para>
/// Read-only by construction: everything returned here is an immutable snapshot
/// (<see cref="ClusterStateSnapshot"/>, <see cref="NodeStateSnapshot"/>, the <see cref="LiveMembers"/> sets,
/// <see cref="ClusterChange"/>s) that never changes under the caller and never reaches back into the node. The
/// only writable state is the node's own, through <see cref="Set"/>, <see cref="SetWithTtl"/>,
/// <see cref="Delete"/> and <see cref="DeleteAfterTtl"/>. Other members' states are written only by gossip
/// (and by <see cref="TryResetNodeState"/>, the catch-up API), never by the application.
/// </para>
/// <para>
/// Threading: every member is thread-safe. Each call takes the node's lock for a short, bounded time (the
/// gossip loop never holds it across an <c>await</c> or while sending). No listener, stream or catch-up callback runs under it; the
/// only user code that does is <see cref="ChitchatConfig.ExtraLivenessPredicate"/>, which must stay short and must
/// not call back into the node.
/// Listeners (<see cref="SubscribeKeyChanges"/>) and change streams receive the changes after the lock is
/// released, in the order they happened; listeners run one at a time and never re-entrantly, on the thread
/// that released the lock (a write here may therefore run listeners before it returns). The catch-up callback
/// runs there too.
/// </para>
/// </remarks>
public sealed class ChitchatRef
{
    private readonly ChitchatInstance _chitchat;

    internal ChitchatRef(ChitchatInstance chitchat)
    {
        _chitchat = chitchat;
    }

    /// <summary>Gets the node's identity (with the bound port when it listens on port 0).</summary>
    public ChitchatId ChitchatId => _chitchat.SelfChitchatId;

    /// <summary>Gets the node's cluster id.</summary>
    public string ClusterId => _chitchat.ClusterId;

    /// <summary>
    /// Gets the live-members watch: the set of live members, republished only when membership or liveness
    /// changes. It is thread-safe on its own and completes when the node stops.
    /// </summary>
    public LiveMembersWatch LiveMembers => _chitchat.LiveMembers;

    /// <summary>The lock; the server takes it around every access to the state machine.</summary>
    internal Lock Gate => _chitchat.Gate;

    /// <summary>The state machine itself, for the server loop, which takes <see cref="Gate"/> around each use.</summary>
    internal ChitchatInstance Instance => _chitchat;

    /// <summary>Returns an immutable snapshot of the whole cluster state as this node sees it.</summary>
    /// <returns>The snapshot; unchanged members share their node snapshots with earlier ones.</returns>
    public ClusterStateSnapshot GetClusterState() => With(static chitchat => chitchat.StateSnapshot());

    /// <summary>Gets an immutable snapshot of one member's state (this node's included).</summary>
    /// <param name="id">The member.</param>
    /// <param name="state">Its state, or <see langword="null"/> if the member is not known.</param>
    /// <returns>Whether the member is known.</returns>
    public bool TryGetNodeState(ChitchatId id, [NotNullWhen(true)] out NodeStateSnapshot? state)
    {
        ArgumentNullException.ThrowIfNull(id);
        state = With(chitchat => chitchat.NodeState(id)?.ToSnapshot());
        return state is not null;
    }

    /// <summary>Gets an immutable snapshot of this node's own state.</summary>
    /// <returns>The snapshot.</returns>
    public NodeStateSnapshot GetSelfNodeState() => With(static chitchat => chitchat.SelfNodeState.ToSnapshot());

    /// <summary>Explains the failure detector's view of a member: phi, time since its last heartbeat, state.</summary>
    /// <param name="id">The member.</param>
    /// <param name="liveness">The explanation.</param>
    /// <returns>Whether the failure detector knows the member.</returns>
    public bool TryGetLiveness(ChitchatId id, out NodeLiveness liveness)
    {
        ArgumentNullException.ThrowIfNull(id);
        NodeLiveness result = default;
        var known = With(chitchat => chitchat.TryGetLiveness(id, out result));
        liveness = result;
        return known;
    }

    /// <summary>
    /// Returns how long after its last heartbeat a member would be declared dead if none came: the smoothed
    /// mean heartbeat interval times <see cref="FailureDetectorConfig.PhiThreshold"/>.
    /// </summary>
    /// <param name="id">The member.</param>
    /// <returns>
    /// The timeout, or <see langword="null"/> for this node itself, for an unknown member, and while no interval
    /// is recorded (for instance right after the member was declared dead).
    /// </returns>
    public TimeSpan? GetFailureDetectionTimeout(ChitchatId id)
    {
        ArgumentNullException.ThrowIfNull(id);
        return With(chitchat => chitchat.FailureDetectionTimeout(id));
    }

    /// <summary>
    /// Sets a key of this node's own state with a new version. A no-op if the key already holds this value;
    /// setting a deleted or TTL'd key cancels its deletion.
    /// </summary>
    /// <param name="key">The key.</param>
    /// <param name="value">The value.</param>
    /// <exception cref="ArgumentException">The key and value are too large to ever be gossiped.</exception>
    public void Set(string key, string value) => With(chitchat => chitchat.SelfNodeState.Set(key, value));

    /// <summary>
    /// Sets a key of this node's own state that stays visible until the marked-for-deletion grace period
    /// ends, then expires (<see cref="ClusterChangeKind.KeyExpired"/>) everywhere.
    /// </summary>
    /// <param name="key">The key.</param>
    /// <param name="value">The value.</param>
    /// <exception cref="ArgumentException">The key and value are too large to ever be gossiped.</exception>
    public void SetWithTtl(string key, string value) => With(chitchat => chitchat.SelfNodeState.SetWithTtl(key, value));

    /// <summary>Deletes a key of this node's own state: hidden at once, a tombstone is gossiped.</summary>
    /// <param name="key">The key.</param>
    /// <returns>Whether the key existed.</returns>
    public bool Delete(string key) => With(chitchat => chitchat.SelfNodeState.Delete(key));

    /// <summary>Schedules a key of this node's own state for deletion at the end of the grace period; it stays visible until then.</summary>
    /// <param name="key">The key.</param>
    /// <returns>Whether the key existed.</returns>
    public bool DeleteAfterTtl(string key) => With(chitchat => chitchat.SelfNodeState.DeleteAfterTtl(key));

    /// <summary>
    /// Follows every change of the cluster as this node sees it: keys set, deleted and expired on any member
    /// (this node included), and members joining, becoming live or dead, leaving and being forgotten.
    /// </summary>
    /// <remarks>
    /// <para>
    /// Changes arrive in the order they were applied, starting with the first change after the enumeration
    /// starts (take <see cref="GetClusterState"/> first for the state before it). The stream ends when the
    /// node stops.
    /// </para>
    /// <para>
    /// Bounded, with a documented overflow policy: the node never waits for a reader. A reader that falls
    /// <paramref name="capacity"/> changes behind loses the following changes until it catches up; it then
    /// receives one <see cref="ClusterChangeKind.Overflow"/> change (with <see cref="ClusterChange.DroppedCount"/>)
    /// where the changes were lost, and should resynchronise from a new snapshot.
    /// </para>
    /// </remarks>
    /// <param name="capacity">How many changes may wait for this reader; at least 1.</param>
    /// <param name="cancellationToken">Stops the enumeration.</param>
    /// <returns>The stream of changes.</returns>
    public IAsyncEnumerable<ClusterChange> WatchChangesAsync(int capacity = ChangeStreamHub.DefaultCapacity, CancellationToken cancellationToken = default)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(capacity, 1);
        return _chitchat.Changes.Streams.ReadAllAsync(_chitchat.SelfChitchatId, capacity, cancellationToken);
    }

    /// <summary>
    /// Calls <paramref name="callback"/> for every change of a key starting with <paramref name="prefix"/>, on any
    /// member (this node included): a new visible value (<see cref="ClusterChangeKind.KeySet"/>), a deletion
    /// (<see cref="ClusterChangeKind.KeyDeleted"/>) or the end of a TTL (<see cref="ClusterChangeKind.KeyExpired"/>).
    /// Port of chitchat's <c>subscribe_event</c>.
    /// </summary>
    /// <remarks>
    /// <para>
    /// The callback receives the same <see cref="ClusterChange"/> as <see cref="WatchChangesAsync"/>, with the full
    /// key (chitchat's <c>KeyChangeEvent</c> strips the prefix; take <c>change.Key[prefix.Length..]</c> for that) and,
    /// for a deletion or an expiry, the last value. To react to new values only, as chitchat's listeners do, test
    /// <c>change.Kind == ClusterChangeKind.KeySet</c>. For membership, read <see cref="WatchChangesAsync"/>.
    /// </para>
    /// <para>
    /// The callback runs after the node's lock is released, in change order, one at a time and never
    /// re-entrantly: a callback that writes a key sees its own change delivered after it returns. An exception
    /// it throws is logged and does not stop the other listeners.
    /// </para>
    /// </remarks>
    /// <param name="prefix">The key prefix (ordinal; empty = every key).</param>
    /// <param name="callback">The callback.</param>
    /// <returns>
    /// The subscription: dispose it to unsubscribe (keep it for as long as the callback should run; a subscription
    /// that is never disposed lives as long as the node).
    /// </returns>
    public IDisposable SubscribeKeyChanges(string prefix, Action<ClusterChange> callback) =>
        _chitchat.SubscribeEvent(prefix, callback);

    /// <summary>
    /// Fast-forwards this node's replica of another member from a state obtained out of band (the end of a
    /// catch-up started by <see cref="ChitchatConfig.CatchupCallback"/>). Port of chitchat's
    /// <c>reset_node_state_if_update</c>.
    /// </summary>
    /// <remarks>
    /// The state is applied only if its (last GC version, max version) pair is greater than the replica's; the
    /// replica then takes its versions and key-values and loses every key it does not have. Does nothing (returns
    /// <see langword="false"/>) for this node's own state, which only this node writes; for an obsolete state (a
    /// gossip reset overtook it); or when the member was recently forgotten.
    /// </remarks>
    /// <param name="id">The member.</param>
    /// <param name="keyValues">Its key-values, tombstones included.</param>
    /// <param name="maxVersion">The state's max version.</param>
    /// <param name="lastGcVersion">The state's last garbage-collected version.</param>
    /// <returns>Whether the replica was reset.</returns>
    public bool TryResetNodeState(
        ChitchatId id,
        IEnumerable<KeyValuePair<string, VersionedValue>> keyValues,
        ulong maxVersion,
        ulong lastGcVersion)
    {
        ArgumentNullException.ThrowIfNull(id);
        ArgumentNullException.ThrowIfNull(keyValues);
        var copy = keyValues.ToList();
        return With(chitchat => chitchat.ResetNodeStateIfUpdate(id, copy, maxVersion, lastGcVersion));
    }

    /// <summary>Runs <paramref name="func"/> under the lock, then delivers the changes it caused (tests and the server).</summary>
    internal T With<T>(Func<ChitchatInstance, T> func)
    {
        T result;
        lock (_chitchat.Gate)
        {
            result = func(_chitchat);
        }

        _chitchat.DispatchChanges();
        return result;
    }

    /// <summary>Runs <paramref name="action"/> under the lock, then delivers the changes it caused.</summary>
    internal void With(Action<ChitchatInstance> action)
    {
        lock (_chitchat.Gate)
        {
            action(_chitchat);
        }

        _chitchat.DispatchChanges();
    }
}
