using Chitchat.Changes;

namespace Chitchat.State;

// Garbage collection of tombstones and TTL'd values after the grace period.
internal sealed partial class NodeState
{
    /// <summary>Removes tombstones and TTL'd values older than the grace period.</summary>
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
        foreach (var (key, entry) in KeyValueMap)
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
            if (entry.Status == DeletionStatus.DeleteAfterTtl)
            {
                _changes.KeyRemoved(ClusterChangeKind.KeyExpired, ChitchatId, key, entry, entry.Version);
            }

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
}
