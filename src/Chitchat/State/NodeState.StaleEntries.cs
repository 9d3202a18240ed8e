namespace Chitchat.State;

// What a lagging peer misses: the entries above a version, found through the recent-versions window.
internal sealed partial class NodeState
{
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

        foreach (var entry in KeyValueMap.Values)
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

        foreach (var pair in KeyValueMap)
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
        _recentVersions ??= RecentVersions.FromHighestVersions(KeyValueMap);
        var index = _recentVersions.IndexAbove(floorVersion);
        if (index >= 0)
        {
            candidates = _recentVersions.Entries[index..];

            // A lookup costs about log2(n) key comparisons; a scan step is cheaper but visits every entry.
            if (candidates.Length <= 4 || candidates.Length * 16 <= KeyValueMap.Count)
            {
                return true;
            }
        }

        candidates = default;
        return false;
    }

    private bool IsCurrent(ulong version, string key, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out VersionedValue? entry) =>
        KeyValueMap.TryGetValue(key, out entry) && entry.Version == version;
}
