using Chitchat.Changes;
using Chitchat.Wire;

namespace Chitchat.State;

// Deltas from peers, catch-up resets and self-authority (re-asserting the own state above a peer's view).
internal sealed partial class NodeState
{
    /// <summary>Sets the own heartbeat just above a peer's view of it (self-authority).</summary>
    internal void RaiseHeartbeatAbove(ulong heartbeat)
    {
        if (heartbeat >= Heartbeat && heartbeat != ulong.MaxValue)
        {
            Heartbeat = heartbeat + 1;
        }
    }

    /// <summary>
    /// Re-asserts the own state above a peer's version of it (self-authority): the GC frontier moves to
    /// <paramref name="peerMaxVersion"/> + 1, so that every peer resets its replica, and every visible entry is
    /// written again above it, in its previous order. Tombstones are dropped: the replicas are reset anyway.
    /// Values do not change, so no change is recorded.
    /// </summary>
    internal void ReassertAbove(ulong peerMaxVersion)
    {
        var visible = new List<KeyValuePair<string, VersionedValue>>(NumKeyValues);
        foreach (var pair in KeyValueMap)
        {
            if (!pair.Value.IsDeleted)
            {
                visible.Add(pair);
            }
        }

        visible.Sort(s_byVersionThenKey);
        _keyValues?.Clear();
        _entriesSnapshotValid = false;
        CountBytes(-_bytes);
        _deletedCount = 0;
        _scheduledCount = 0;
        _earliestScheduledTimestamp = long.MaxValue;
        _recentVersions = null;
        LastGcVersion = peerMaxVersion + 1;
        MaxVersion = LastGcVersion;
        foreach (var (key, entry) in visible)
        {
            MaxVersion++;
            Store(key, new VersionedValue(entry.Value, MaxVersion, entry.Status, entry.StatusChangeTimestamp), null);
        }
    }

    /// <summary>Takes the versions of an out-of-band snapshot (the catch-up API); the recent-versions window starts over.</summary>
    internal void ResetVersions(ulong lastGcVersion, ulong maxVersion)
    {
        LastGcVersion = lastGcVersion;
        MaxVersion = maxVersion;
        _recentVersions = null;
    }

    /// <summary>Decides how a node delta applies to this state.</summary>
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
    /// Applies a node delta. A node delta whose max version is below its last key-value
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
        if (_changes.IsObserved)
        {
            foreach (var (key, entry) in KeyValueMap)
            {
                if (!entry.IsDeleted)
                {
                    _changes.KeyRemoved(ClusterChangeKind.KeyDeleted, ChitchatId, key, entry, entry.Version);
                }
            }
        }

        _keyValues?.Clear();
        _entriesSnapshotValid = false;
        CountBytes(-_bytes);
        _deletedCount = 0;
        _scheduledCount = 0;
        _earliestScheduledTimestamp = long.MaxValue;
        _recentVersions?.Reset(0);
        Heartbeat = 0;
        MaxVersion = 0;
        LastGcVersion = lastGcVersion;
    }
}
