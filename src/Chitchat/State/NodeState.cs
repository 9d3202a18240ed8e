using System.Collections.Immutable;
using Chitchat.Changes;
using Chitchat.Wire;

namespace Chitchat.State;

/// <summary>
/// The versioned key-value state of one cluster member, as known locally: the owner's own state for
/// the self node, a replica for every other member.
/// </summary>
/// <remarks>
/// <para>
/// Every mutation gets a new version, <c>MaxVersion + 1</c>. Deletions are tombstones
/// (<see cref="DeletionStatus.Deleted"/>) or delayed deletions (<see cref="DeletionStatus.DeleteAfterTtl"/>)
/// that are garbage-collected after the grace period; keys are kept in UTF-8 byte order, as in Rust.
/// </para>
/// <para>
/// Not thread-safe: a node state belongs to a <see cref="ChitchatInstance"/> and is used under its lock.
/// It never leaves the lock: callers receive immutable <see cref="NodeStateSnapshot"/> copies
/// (<see cref="ToSnapshot"/>), and write only the node's own state, through <see cref="ChitchatRef"/>.
/// Changes are recorded in the instance's <see cref="ChangeLog"/> and delivered after the lock is released.
/// </para>
/// </remarks>
internal sealed partial class NodeState
{
    private static readonly Comparison<KeyValuePair<string, VersionedValue>> s_byVersionThenKey = static (a, b) =>
    {
        var byVersion = a.Value.Version.CompareTo(b.Value.Version);
        return byVersion != 0 ? byVersion : Utf8Ordinal.Instance.Compare(a.Key, b.Key);
    };

    // Read through KeyValueMap. Created with the first entry: most replicas of a large cluster have no key-values
    // (the node states of a 2,000-node simulation are 4 million replicas), and an empty sorted dictionary is three
    // objects, 112 bytes.
    private static readonly SortedDictionary<string, VersionedValue> s_noKeyValues = new(Utf8Ordinal.Instance);
    private SortedDictionary<string, VersionedValue>? _keyValues;
    private readonly ChangeLog _changes;
    private readonly TimeProvider _timeProvider;

    // The last snapshot handed out, and the immutable copy of the entries it shares with the next snapshots
    // until an entry changes (heartbeat-only changes reuse the entries).
    private NodeStateSnapshot? _snapshot;
    private ImmutableArray<KeyValuePair<string, VersionedValue>> _entriesSnapshot;
    private bool _entriesSnapshotValid;

    // Recent mutations in version order: what a slightly lagging peer misses, found without a full scan.
    // Built at the first stale-entry query (one scan picks the entries of highest version), so that
    // replicas filled in bulk and copies (snapshots, the live-nodes watch) never pay for it.
    private RecentVersions? _recentVersions;

    // The state budget this state counts against (none for snapshots), and what its entries cost.
    private StateBudget? _budget;
    private long _bytes;

    // Number of tombstones (DeletionStatus.Deleted) in KeyValueMap, so that NumKeyValues is O(1).
    private int _deletedCount;

    // Number of entries scheduled for deletion (Deleted or DeleteAfterTtl), and a lower bound of their
    // StatusChangeTimestamp: the per-round garbage collection skips the scan when none can have expired.
    private int _scheduledCount;
    private long _earliestScheduledTimestamp = long.MaxValue;

    internal NodeState(ChitchatId chitchatId, ChangeLog changes, TimeProvider timeProvider, StateBudget? budget = null)
    {
        ChitchatId = chitchatId;
        _changes = changes;
        _timeProvider = timeProvider;
        _budget = budget;
    }

    private NodeState(NodeState other)
    {
        ChitchatId = other.ChitchatId;
        _changes = new ChangeLog();
        _timeProvider = other._timeProvider;
        _keyValues = other._keyValues is null ? null : new SortedDictionary<string, VersionedValue>(other._keyValues, Utf8Ordinal.Instance);
        _deletedCount = other._deletedCount;
        _scheduledCount = other._scheduledCount;
        _bytes = other._bytes;
        _earliestScheduledTimestamp = other._earliestScheduledTimestamp;
        Heartbeat = other.Heartbeat;
        MaxVersion = other.MaxVersion;
        LastGcVersion = other.LastGcVersion;
    }

    /// <summary>Gets the member this state belongs to.</summary>
    public ChitchatId ChitchatId { get; }

    /// <summary>The entries, tombstones included; a shared empty map (never written) until the first entry.</summary>
    private SortedDictionary<string, VersionedValue> KeyValueMap => _keyValues ?? s_noKeyValues;

    /// <summary>Gets the last known heartbeat of the member (its own counter for the self node).</summary>
    public ulong Heartbeat { get; private set; }

    // What the owning node's state machine remembers of the member between rounds. Kept on the replica rather than
    // in tables keyed by member: a node holds a replica of every member, and each such table costs tens of bytes per
    // member of every node. Removed with the replica; never copied into snapshots.

    /// <summary>Gets or sets how the owner last classified the member (for member change events).</summary>
    internal MemberStatus Status { get; set; }

    /// <summary>Gets or sets whether the member was in the live set the owner last published.</summary>
    internal bool InPublishedLiveSet { get; set; }

    /// <summary>Gets or sets the member's max version when the owner last published the live set (if it was in it).</summary>
    internal ulong PublishedMaxVersion { get; set; }

    /// <summary>
    /// Gets the highest version known for the member: a replica that received every mutation above
    /// this version would be up to date.
    /// </summary>
    public ulong MaxVersion { get; private set; }

    /// <summary>Gets the highest version of a tombstone that was garbage-collected.</summary>
    public ulong LastGcVersion { get; internal set; }

    /// <summary>Gets the pair (<see cref="LastGcVersion"/>, <see cref="MaxVersion"/>), which gossip never decreases.</summary>
    public (ulong LastGcVersion, ulong MaxVersion) MonotonicProperty => (LastGcVersion, MaxVersion);

    /// <summary>Gets the number of visible (non-deleted) key-values.</summary>
    public int NumKeyValues => KeyValueMap.Count - _deletedCount;

    /// <summary>Gets the number of stored entries, tombstones included.</summary>
    internal int NumEntriesIncludingDeleted => KeyValueMap.Count;

    /// <summary>Gets the visible key-values in key order.</summary>
    public IEnumerable<KeyValuePair<string, string>> KeyValues
    {
        get
        {
            foreach (var (key, entry) in KeyValueMap)
            {
                if (!entry.IsDeleted)
                {
                    yield return new KeyValuePair<string, string>(key, entry.Value);
                }
            }
        }
    }

    /// <summary>Gets every entry, tombstones included, in key order.</summary>
    public IEnumerable<KeyValuePair<string, VersionedValue>> KeyValuesIncludingDeleted => KeyValueMap;

    /// <summary>Creates the state Rust tests use: <c>test-node</c>, generation 0, <c>127.0.0.1:7280</c>.</summary>
    /// <returns>A new, empty node state.</returns>
    internal static NodeState ForTest() =>
        new(new ChitchatId("test-node", 0, new System.Net.IPEndPoint(System.Net.IPAddress.Loopback, 7280)), new ChangeLog(), TimeProvider.System);

    /// <summary>Returns the value of <paramref name="key"/>, or <see langword="null"/> if absent or deleted.</summary>
    /// <param name="key">The key.</param>
    /// <returns>The value (values scheduled with <see cref="DeleteAfterTtl"/> are still returned).</returns>
    public string? Get(string key) =>
        KeyValueMap.TryGetValue(key, out var entry) && !entry.IsDeleted ? entry.Value : null;

    /// <summary>Returns the stored entry of <paramref name="key"/>, tombstones included.</summary>
    /// <param name="key">The key.</param>
    /// <returns>The entry, or <see langword="null"/>.</returns>
    public VersionedValue? GetVersioned(string key) => KeyValueMap.GetValueOrDefault(key);

    /// <summary>Returns whether <paramref name="key"/> has a visible value.</summary>
    /// <param name="key">The key.</param>
    /// <returns>Whether <see cref="Get"/> would return a value.</returns>
    public bool ContainsKey(string key) => Get(key) is not null;

    /// <summary>Returns the visible entries whose key starts with <paramref name="prefix"/> (byte-wise), in key order.</summary>
    /// <param name="prefix">The prefix.</param>
    /// <returns>The matching entries.</returns>
    public IEnumerable<KeyValuePair<string, VersionedValue>> IterPrefix(string prefix)
    {
        ArgumentNullException.ThrowIfNull(prefix);
        foreach (var (key, entry) in KeyValueMap)
        {
            if (!entry.IsDeleted && key.StartsWith(prefix, StringComparison.Ordinal))
            {
                yield return new KeyValuePair<string, VersionedValue>(key, entry);
            }
        }
    }

    /// <summary>
    /// Sets <paramref name="key"/> to <paramref name="value"/> with a new version. A no-op if the key already
    /// holds this value with status <see cref="DeletionStatus.Set"/>; setting a deleted or TTL'd key cancels
    /// the deletion. Fires the key-change listeners.
    /// </summary>
    /// <param name="key">The key.</param>
    /// <param name="value">The value.</param>
    /// <exception cref="ArgumentException">The key and value are too large to ever be gossiped.</exception>
    /// <exception cref="InvalidOperationException">The node's state would exceed its budget (keys or bytes).</exception>
    public void Set(string key, string value)
    {
        EnsureTransmittable(key, value);
        if (KeyValueMap.TryGetValue(key, out var previous)
            && previous.Status == DeletionStatus.Set
            && string.Equals(previous.Value, value, StringComparison.Ordinal))
        {
            return;
        }

        EnsureWithinBudget(key, value);
        SetWithVersion(key, value, MaxVersion + 1);
    }

    /// <summary>
    /// Sets a value that stays visible and is garbage-collected after the grace period. A no-op if the key
    /// already holds this value with status <see cref="DeletionStatus.DeleteAfterTtl"/>.
    /// </summary>
    /// <param name="key">The key.</param>
    /// <param name="value">The value.</param>
    /// <exception cref="ArgumentException">The key and value are too large to ever be gossiped.</exception>
    /// <exception cref="InvalidOperationException">The node's state would exceed its budget (keys or bytes).</exception>
    public void SetWithTtl(string key, string value)
    {
        EnsureTransmittable(key, value);
        if (KeyValueMap.TryGetValue(key, out var previous)
            && previous.Status == DeletionStatus.DeleteAfterTtl
            && string.Equals(previous.Value, value, StringComparison.Ordinal))
        {
            return;
        }

        EnsureWithinBudget(key, value);
        SetVersionedValue(key, new VersionedValue(value, MaxVersion + 1, DeletionStatus.DeleteAfterTtl, _timeProvider.GetTimestamp()));
    }

    /// <summary>
    /// Deletes <paramref name="key"/>: readers stop seeing it at once; a tombstone with a new version is
    /// gossiped and garbage-collected after the grace period. Does nothing (returns false) if the key is
    /// absent. Fires no listener.
    /// </summary>
    /// <param name="key">The key.</param>
    /// <returns>Whether the key existed.</returns>
    public bool Delete(string key)
    {
        ArgumentNullException.ThrowIfNull(key);
        if (!KeyValueMap.TryGetValue(key, out var previous))
        {
            return false;
        }

        MaxVersion++;
        Store(key, new VersionedValue(string.Empty, MaxVersion, DeletionStatus.Deleted, _timeProvider.GetTimestamp()), previous);
        if (!previous.IsDeleted)
        {
            _changes.KeyRemoved(ClusterChangeKind.KeyDeleted, ChitchatId, key, previous, MaxVersion);
        }

        return true;
    }

    /// <summary>
    /// Schedules <paramref name="key"/> for deletion after the grace period; the value stays visible until
    /// then. Does nothing (returns false) if the key is absent. Fires no listener.
    /// </summary>
    /// <param name="key">The key.</param>
    /// <returns>Whether the key existed.</returns>
    public bool DeleteAfterTtl(string key)
    {
        ArgumentNullException.ThrowIfNull(key);
        if (!KeyValueMap.TryGetValue(key, out var entry))
        {
            return false;
        }

        MaxVersion++;
        Store(key, new VersionedValue(entry.Value, MaxVersion, DeletionStatus.DeleteAfterTtl, _timeProvider.GetTimestamp()), entry);
        return true;
    }

    /// <summary>Overwrites <see cref="MaxVersion"/> (test helper, as in Rust).</summary>
    /// <param name="maxVersion">The new max version.</param>
    internal void SetMaxVersion(ulong maxVersion) => MaxVersion = maxVersion;

    /// <summary>
    /// Records a heartbeat of another member. The first observation is stored but is not an update.
    /// </summary>
    /// <param name="heartbeat">The heartbeat seen in a digest.</param>
    /// <returns>Whether the heartbeat increased (the failure detector should be told).</returns>
    public bool TrySetHeartbeat(ulong heartbeat)
    {
        if (Heartbeat == 0)
        {
            Heartbeat = heartbeat;
            return false;
        }

        if (heartbeat > Heartbeat)
        {
            Heartbeat = heartbeat;
            return true;
        }

        return false;
    }

    /// <summary>
    /// The largest key-value operation the wire format can carry. A larger one could never be sent, and
    /// since deltas carry versions in order, every later update of this node would be stuck behind it.
    /// </summary>
    internal const int MaxKeyValueOpLength = ushort.MaxValue;

    private static void EnsureTransmittable(string key, string value)
    {
        ArgumentNullException.ThrowIfNull(key);
        ArgumentNullException.ThrowIfNull(value);
        // Tag, two u16 lengths, version and status: 14 bytes around the key and the value.
        var opLength = 14L + System.Text.Encoding.UTF8.GetByteCount(key) + System.Text.Encoding.UTF8.GetByteCount(value);
        if (opLength > MaxKeyValueOpLength)
        {
            throw new ArgumentException(
                $"Key and value take more than {MaxKeyValueOpLength - 14} UTF-8 bytes together; a chitchat delta operation cannot carry them.",
                nameof(value));
        }
    }

    internal void IncrementHeartbeat()
    {
        if (Heartbeat != ulong.MaxValue)
        {
            Heartbeat++;
        }
    }

    internal NodeDigest Digest => new(Heartbeat, LastGcVersion, MaxVersion);

    internal NodeState Clone() => new(this);

    /// <summary>
    /// Stores <paramref name="versionedValue"/> unless the key already has a version at least as recent.
    /// Raises <see cref="MaxVersion"/> in any case. Fires listeners for non-tombstones.
    /// Port of chitchat state.rs <c>NodeState::set_versioned_value</c>.
    /// </summary>
    internal void SetVersionedValue(string key, VersionedValue versionedValue)
    {
        if (versionedValue.Version > MaxVersion)
        {
            MaxVersion = versionedValue.Version;
        }

        if (KeyValueMap.TryGetValue(key, out var existing) && existing.Version >= versionedValue.Version)
        {
            return;
        }

        Store(key, versionedValue, existing);
        if (!versionedValue.IsDeleted)
        {
            _changes.KeySet(ChitchatId, key, versionedValue);
        }
        else if (existing is { IsDeleted: false })
        {
            _changes.KeyRemoved(ClusterChangeKind.KeyDeleted, ChitchatId, key, existing, versionedValue.Version);
        }
    }

    internal void SetWithVersion(string key, string value, ulong version)
    {
        if (version <= MaxVersion)
        {
            throw new InvalidOperationException($"Version {version} must be greater than the max version {MaxVersion}.");
        }

        SetVersionedValue(key, new VersionedValue(value, version, DeletionStatus.Set));
    }

    internal void RemoveKeyValueInternal(string key)
    {
        if (KeyValueMap.TryGetValue(key, out var removed) && !removed.IsDeleted)
        {
            _changes.KeyRemoved(ClusterChangeKind.KeyDeleted, ChitchatId, key, removed, removed.Version);
        }

        RemoveEntry(key);
    }

    /// <summary>Stores an entry, keeping the tombstone count and the recent-versions window up to date.</summary>
    private void Store(string key, VersionedValue value, VersionedValue? previous)
    {
        (_keyValues ??= new SortedDictionary<string, VersionedValue>(Utf8Ordinal.Instance))[key] = value;
        _entriesSnapshotValid = false;
        var bytes = StateBudget.SizeOf(key, value.Value);
        if (previous is not null)
        {
            Uncount(previous);
            bytes -= StateBudget.SizeOf(key, previous.Value);
        }

        CountBytes(bytes);

        if (value.Status != DeletionStatus.Set)
        {
            _scheduledCount++;
            _deletedCount += value.IsDeleted ? 1 : 0;
            _earliestScheduledTimestamp = Math.Min(_earliestScheduledTimestamp, value.StatusChangeTimestamp);
        }

        _recentVersions?.Record(value.Version, key);
    }

    private void RemoveEntry(string key)
    {
        if (_keyValues is not null && _keyValues.Remove(key, out var removed))
        {
            _entriesSnapshotValid = false;
            Uncount(removed);
            CountBytes(-StateBudget.SizeOf(key, removed.Value));
        }
    }

    private void Uncount(VersionedValue value)
    {
        if (value.Status != DeletionStatus.Set)
        {
            _scheduledCount--;
            _deletedCount -= value.IsDeleted ? 1 : 0;
        }
    }

    /// <inheritdoc />
    public override string ToString() =>
        $"NodeState({ChitchatId}, heartbeat {Heartbeat}, max {MaxVersion}, gc {LastGcVersion}, {KeyValueMap.Count} entries)";
}
