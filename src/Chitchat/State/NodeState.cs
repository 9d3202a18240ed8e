using Chitchat.Listeners;
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
/// Not thread-safe. A node state belongs to a <see cref="ChitchatInstance"/>; when the instance runs in
/// a server, only touch it inside <c>ChitchatHandle.WithChitchat</c> (under the lock). Applications
/// mutate only their own node state (<see cref="ChitchatInstance.SelfNodeState"/>).
/// </para>
/// </remarks>
public sealed class NodeState
{
    private static readonly Comparison<KeyValuePair<string, VersionedValue>> s_byVersionThenKey = static (a, b) =>
    {
        var byVersion = a.Value.Version.CompareTo(b.Value.Version);
        return byVersion != 0 ? byVersion : Utf8Ordinal.Instance.Compare(a.Key, b.Key);
    };

    private readonly SortedDictionary<string, VersionedValue> _keyValues;
    private readonly ListenerRegistry _listeners;
    private readonly TimeProvider _timeProvider;

    // Recent mutations in version order: what a slightly lagging peer misses, found without a full scan.
    // Built at the first stale-entry query (one scan picks the entries of highest version), so that
    // replicas filled in bulk and copies (snapshots, the live-nodes watch) never pay for it.
    private RecentVersions? _recentVersions;

    // The state budget this state counts against (none for snapshots), and what its entries cost.
    private StateBudget? _budget;
    private long _bytes;

    // Number of tombstones (DeletionStatus.Deleted) in _keyValues, so that NumKeyValues is O(1).
    private int _deletedCount;

    // Number of entries scheduled for deletion (Deleted or DeleteAfterTtl), and a lower bound of their
    // StatusChangeTimestamp: the per-round garbage collection skips the scan when none can have expired.
    private int _scheduledCount;
    private long _earliestScheduledTimestamp = long.MaxValue;

    internal NodeState(ChitchatId chitchatId, ListenerRegistry listeners, TimeProvider timeProvider, StateBudget? budget = null)
    {
        ChitchatId = chitchatId;
        _listeners = listeners;
        _timeProvider = timeProvider;
        _budget = budget;
        _keyValues = new SortedDictionary<string, VersionedValue>(Utf8Ordinal.Instance);
    }

    private NodeState(NodeState other)
    {
        ChitchatId = other.ChitchatId;
        _listeners = other._listeners;
        _timeProvider = other._timeProvider;
        _keyValues = new SortedDictionary<string, VersionedValue>(other._keyValues, Utf8Ordinal.Instance);
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

    /// <summary>Gets the last known heartbeat of the member (its own counter for the self node).</summary>
    public ulong Heartbeat { get; private set; }

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
    public int NumKeyValues => _keyValues.Count - _deletedCount;

    /// <summary>Gets the number of stored entries, tombstones included.</summary>
    internal int NumEntriesIncludingDeleted => _keyValues.Count;

    /// <summary>Gets the visible key-values in key order.</summary>
    public IEnumerable<KeyValuePair<string, string>> KeyValues
    {
        get
        {
            foreach (var (key, entry) in _keyValues)
            {
                if (!entry.IsDeleted)
                {
                    yield return new KeyValuePair<string, string>(key, entry.Value);
                }
            }
        }
    }

    /// <summary>Gets every entry, tombstones included, in key order.</summary>
    public IEnumerable<KeyValuePair<string, VersionedValue>> KeyValuesIncludingDeleted => _keyValues;

    /// <summary>Creates the state Rust tests use: <c>test-node</c>, generation 0, <c>127.0.0.1:7280</c>.</summary>
    /// <returns>A new, empty node state.</returns>
    public static NodeState ForTest() =>
        new(new ChitchatId("test-node", 0, new System.Net.IPEndPoint(System.Net.IPAddress.Loopback, 7280)), new ListenerRegistry(), TimeProvider.System);

    /// <summary>Returns the value of <paramref name="key"/>, or <see langword="null"/> if absent or deleted.</summary>
    /// <param name="key">The key.</param>
    /// <returns>The value (values scheduled with <see cref="DeleteAfterTtl"/> are still returned).</returns>
    public string? Get(string key) =>
        _keyValues.TryGetValue(key, out var entry) && !entry.IsDeleted ? entry.Value : null;

    /// <summary>Returns the stored entry of <paramref name="key"/>, tombstones included.</summary>
    /// <param name="key">The key.</param>
    /// <returns>The entry, or <see langword="null"/>.</returns>
    public VersionedValue? GetVersioned(string key) => _keyValues.GetValueOrDefault(key);

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
        foreach (var (key, entry) in _keyValues)
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
        if (_keyValues.TryGetValue(key, out var previous)
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
        if (_keyValues.TryGetValue(key, out var previous)
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
        if (!_keyValues.ContainsKey(key))
        {
            return false;
        }

        MaxVersion++;
        Store(key, new VersionedValue(string.Empty, MaxVersion, DeletionStatus.Deleted, _timeProvider.GetTimestamp()));
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
        if (!_keyValues.TryGetValue(key, out var entry))
        {
            return false;
        }

        MaxVersion++;
        Store(key, new VersionedValue(entry.Value, MaxVersion, DeletionStatus.DeleteAfterTtl, _timeProvider.GetTimestamp()));
        return true;
    }

    /// <summary>Overwrites <see cref="MaxVersion"/> (test helper, as in Rust).</summary>
    /// <param name="maxVersion">The new max version.</param>
    public void SetMaxVersion(ulong maxVersion) => MaxVersion = maxVersion;

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

        if (_keyValues.TryGetValue(key, out var existing) && existing.Version >= versionedValue.Version)
        {
            return;
        }

        Store(key, versionedValue, existing);
        if (!versionedValue.IsDeleted && !_listeners.IsEmpty)
        {
            _listeners.Trigger(key, versionedValue.Value, ChitchatId);
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

    internal void RemoveKeyValueInternal(string key) => RemoveEntry(key);

    /// <summary>Gets what the entries of this state cost against the state budget, in bytes.</summary>
    internal long StateBytes => _bytes;

    /// <summary>Stops counting this state against the budget (the member was forgotten).</summary>
    internal void Detach()
    {
        _budget?.Add(-_bytes);
        _budget = null;
    }

    private void CountBytes(long bytes)
    {
        _bytes += bytes;
        _budget?.Add(bytes);
    }

    /// <summary>Throws if setting <paramref name="key"/> to <paramref name="value"/> would exceed the per-member budget.</summary>
    private void EnsureWithinBudget(string key, string value)
    {
        if (_budget is not { } budget)
        {
            return;
        }

        var previous = _keyValues.GetValueOrDefault(key);
        var keys = NumEntriesWithout(previous) + 1;
        var bytes = _bytes + StateBudget.SizeOf(key, value) - (previous is null ? 0 : StateBudget.SizeOf(key, previous.Value));
        if (keys > budget.MaxKeysPerNode)
        {
            throw new InvalidOperationException(
                $"Setting '{key}' would give this node {keys} keys; the state budget allows {budget.MaxKeysPerNode} (ChitchatConfig.MaxKeysPerNode).");
        }

        if (bytes > budget.MaxBytesPerNode)
        {
            throw new InvalidOperationException(
                $"Setting '{key}' would make this node's state {bytes} bytes; the state budget allows {budget.MaxBytesPerNode} (ChitchatConfig.MaxStateBytesPerNode).");
        }
    }

    private int NumEntriesWithout(VersionedValue? previous) => _keyValues.Count - (previous is null ? 0 : 1);

    /// <summary>Returns whether applying the key-values of <paramref name="nodeDelta"/> above <paramref name="baseVersion"/> fits the budget.</summary>
    private bool FitsBudget(NodeDelta nodeDelta, ulong baseVersion, bool afterReset)
    {
        if (_budget is not { } budget)
        {
            return true;
        }

        long bytes = afterReset ? 0 : _bytes;
        long keys = afterReset ? 0 : _keyValues.Count;
        foreach (var mutation in nodeDelta.KeyValues)
        {
            if (mutation.Version <= baseVersion)
            {
                continue;
            }

            var previous = afterReset ? null : _keyValues.GetValueOrDefault(mutation.Key);
            if (previous is not null && previous.Version >= mutation.Version)
            {
                continue;
            }

            bytes += StateBudget.SizeOf(mutation.Key, mutation.Value) - (previous is null ? 0 : StateBudget.SizeOf(mutation.Key, previous.Value));
            keys += previous is null ? 1 : 0;
        }

        var growth = bytes - _bytes;
        return keys <= budget.MaxKeysPerNode
            && bytes <= budget.MaxBytesPerNode
            && (growth <= 0 || budget.TotalBytes + growth <= budget.MaxTotalBytes);
    }

    /// <summary>Takes the versions of an out-of-band snapshot (the catch-up API); the recent-versions window starts over.</summary>
    internal void ResetVersions(ulong lastGcVersion, ulong maxVersion)
    {
        LastGcVersion = lastGcVersion;
        MaxVersion = maxVersion;
        _recentVersions = null;
    }

    /// <summary>Stores an entry, keeping the tombstone count and the recent-versions window up to date.</summary>
    private void Store(string key, VersionedValue value)
    {
        _keyValues.TryGetValue(key, out var previous);
        Store(key, value, previous);
    }

    private void Store(string key, VersionedValue value, VersionedValue? previous)
    {
        _keyValues[key] = value;
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
        if (_keyValues.Remove(key, out var removed))
        {
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

    /// <summary>Removes tombstones and TTL'd values older than the grace period (BEHAVIOUR.md §4).</summary>
    internal void GcKeysMarkedForDeletion(TimeSpan gracePeriod, long now)
    {
        // Every scheduled entry changed status at or after the earliest timestamp: if that one is still
        // within the grace period, so are all of them (and there is nothing to scan without any).
        if (_scheduledCount == 0 || _timeProvider.GetElapsedTime(_earliestScheduledTimestamp, now) < gracePeriod)
        {
            return;
        }

        List<string>? expired = null;
        var lastGcVersion = LastGcVersion;
        var earliestRemaining = long.MaxValue;
        foreach (var (key, entry) in _keyValues)
        {
            if (entry.Status == DeletionStatus.Set)
            {
                continue;
            }

            if (_timeProvider.GetElapsedTime(entry.StatusChangeTimestamp, now) < gracePeriod)
            {
                earliestRemaining = Math.Min(earliestRemaining, entry.StatusChangeTimestamp);
                continue;
            }

            (expired ??= []).Add(key);
            lastGcVersion = Math.Max(lastGcVersion, entry.Version);
        }

        _earliestScheduledTimestamp = earliestRemaining;
        if (expired is null)
        {
            return;
        }

        foreach (var key in expired)
        {
            RemoveEntry(key);
        }

        LastGcVersion = lastGcVersion;
    }

    /// <summary>Counts entries (tombstones included) with a version above <paramref name="floorVersion"/>.</summary>
    internal int CountStaleKeyValues(ulong floorVersion)
    {
        var count = 0;
        if (TryGetRecentCandidates(floorVersion, out var candidates))
        {
            foreach (var (version, key) in candidates)
            {
                if (IsCurrent(version, key, out _))
                {
                    count++;
                }
            }

            return count;
        }

        foreach (var entry in _keyValues.Values)
        {
            if (entry.Version > floorVersion)
            {
                count++;
            }
        }

        return count;
    }

    /// <summary>
    /// Fills <paramref name="buffer"/> with the entries above <paramref name="floorVersion"/>, sorted by version
    /// (then by key, should a test helper have made versions collide).
    /// </summary>
    internal void CollectStaleKeyValues(ulong floorVersion, List<KeyValuePair<string, VersionedValue>> buffer)
    {
        buffer.Clear();
        if (TryGetRecentCandidates(floorVersion, out var candidates))
        {
            var previousVersion = floorVersion;
            var sorted = true;
            foreach (var (version, key) in candidates)
            {
                if (IsCurrent(version, key, out var entry))
                {
                    sorted &= version != previousVersion;
                    previousVersion = version;
                    buffer.Add(new KeyValuePair<string, VersionedValue>(key, entry));
                }
            }

            if (!sorted)
            {
                buffer.Sort(s_byVersionThenKey);
            }

            return;
        }

        foreach (var pair in _keyValues)
        {
            if (pair.Value.Version > floorVersion)
            {
                buffer.Add(pair);
            }
        }

        buffer.Sort(s_byVersionThenKey);
    }

    /// <summary>
    /// Returns the recent (version, key) pairs above <paramref name="floorVersion"/> when the window covers that
    /// floor and checking them against the store is cheaper than scanning every entry.
    /// </summary>
    private bool TryGetRecentCandidates(ulong floorVersion, out ReadOnlySpan<RecentVersions.Entry> candidates)
    {
        _recentVersions ??= RecentVersions.FromHighestVersions(_keyValues);
        var index = _recentVersions.IndexAbove(floorVersion);
        if (index >= 0)
        {
            candidates = _recentVersions.Entries[index..];

            // A lookup costs about log2(n) key comparisons; a scan step is cheaper but visits every entry.
            if (candidates.Length <= 4 || candidates.Length * 16 <= _keyValues.Count)
            {
                return true;
            }
        }

        candidates = default;
        return false;
    }

    private bool IsCurrent(ulong version, string key, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out VersionedValue? entry) =>
        _keyValues.TryGetValue(key, out entry) && entry.Version == version;

    /// <summary>Decides how a node delta applies to this state (BEHAVIOUR.md §7.1).</summary>
    internal DeltaStatus CheckDeltaStatus(NodeDelta nodeDelta)
    {
        if (nodeDelta.FromVersionExcluded > MaxVersion)
        {
            return DeltaStatus.RejectFromTheFuture;
        }

        var compatibleWithoutReset = nodeDelta.LastGcVersion <= LastGcVersion || nodeDelta.LastGcVersion <= MaxVersion;
        if (!compatibleWithoutReset)
        {
            return nodeDelta.FromVersionExcluded != 0 ? DeltaStatus.RejectInapplicable : DeltaStatus.ApplyAfterReset;
        }

        return MaxVersion < nodeDelta.MaxVersion ? DeltaStatus.Apply : DeltaStatus.RejectStale;
    }

    /// <summary>
    /// Applies a node delta (BEHAVIOUR.md §7.2). A node delta whose max version is below its last key-value
    /// version (never sent by Rust, but accepted by its decoder) is rejected instead of crashing.
    /// </summary>
    internal DeltaStatus ApplyDelta(NodeDelta nodeDelta, long now)
    {
        var status = CheckDeltaStatus(nodeDelta);
        if (status.IsReject())
        {
            return status;
        }

        var kvs = nodeDelta.KeyValues;
        foreach (var mutation in kvs)
        {
            if (mutation.Version > nodeDelta.MaxVersion)
            {
                return DeltaStatus.RejectMaxVersionBelowKeyValues;
            }
        }

        var afterReset = status == DeltaStatus.ApplyAfterReset;
        if (!FitsBudget(nodeDelta, afterReset ? 0 : MaxVersion, afterReset))
        {
            return DeltaStatus.RejectOverBudget;
        }

        if (afterReset)
        {
            Reset(nodeDelta.LastGcVersion);
        }

        var currentMaxVersion = MaxVersion;
        foreach (var mutation in kvs)
        {
            if (mutation.Version <= currentMaxVersion)
            {
                continue;
            }

            if (mutation.Status != DeletionStatus.Set && mutation.Version <= LastGcVersion)
            {
                continue;
            }

            SetVersionedValue(mutation.Key, new VersionedValue(mutation.Value, mutation.Version, mutation.Status, now));
        }

        MaxVersion = nodeDelta.MaxVersion;
        return status;
    }

    private void Reset(ulong lastGcVersion)
    {
        _keyValues.Clear();
        CountBytes(-_bytes);
        _deletedCount = 0;
        _scheduledCount = 0;
        _earliestScheduledTimestamp = long.MaxValue;
        _recentVersions?.Reset(0);
        Heartbeat = 0;
        MaxVersion = 0;
        LastGcVersion = lastGcVersion;
    }

    /// <inheritdoc />
    public override string ToString() =>
        $"NodeState({ChitchatId}, heartbeat {Heartbeat}, max {MaxVersion}, gc {LastGcVersion}, {_keyValues.Count} entries)";
}
