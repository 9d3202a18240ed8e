namespace Chitchat.State;

/// <summary>
/// The most recent mutations of one <see cref="NodeState"/>, as (version, key) pairs sorted by version, so
/// that the entries a slightly lagging peer misses are found without scanning every key.
/// </summary>
/// <remarks>
/// <para>
/// Invariant: every entry of the node state whose version is above <see cref="Floor"/> is listed (listed
/// pairs may be stale: the key was updated again or removed since; readers check each pair against the
/// store). Recording a mutation appends it (versions normally grow); when the list holds
/// 2 × <see cref="HalfCapacity"/> pairs, the older half is dropped and <see cref="Floor"/> rises to the
/// highest dropped version. A mutation at or below the floor need not be listed. A (version, key) pair is
/// listed at most once.
/// </para>
/// <para>
/// Memory is bounded: at most 2 × <see cref="HalfCapacity"/> pairs (16 bytes each) per node state, grown on
/// demand; a node state starts its window at its first stale-entry query. In the steady state peers lag by a
/// few versions, far inside the window; a peer further behind (or new) is served by a full scan, as before.
/// Not thread-safe; owned by its node state.
/// </para>
/// </remarks>
internal sealed class RecentVersions
{
    /// <summary>The window keeps the last <c>HalfCapacity</c> to 2 × <c>HalfCapacity</c> mutations.</summary>
    public const int HalfCapacity = 16;

    private Entry[] _entries = [];
    private int _count;

    /// <summary>Creates an empty window covering every version above <paramref name="floor"/>.</summary>
    /// <param name="floor">A version at least as high as every entry of the node state.</param>
    public RecentVersions(ulong floor)
    {
        Floor = floor;
    }

    /// <summary>
    /// Builds the window of an existing node state in one pass: its <see cref="HalfCapacity"/> entries of
    /// highest version are listed, and the floor is the highest version of the others.
    /// </summary>
    /// <param name="keyValues">Every entry of the node state.</param>
    public static RecentVersions FromHighestVersions(IReadOnlyDictionary<string, VersionedValue> keyValues)
    {
        var window = new RecentVersions(0);
        var entries = new Entry[Math.Min(keyValues.Count, HalfCapacity)];
        var count = 0;
        foreach (var (key, value) in keyValues)
        {
            var version = value.Version;
            if (count == entries.Length)
            {
                // Full: the entry, or the lowest listed one, is left out; the floor covers it.
                if (version <= entries[0].Version)
                {
                    window.Floor = Math.Max(window.Floor, version);
                    continue;
                }

                window.Floor = Math.Max(window.Floor, entries[0].Version);
                Array.Copy(entries, 1, entries, 0, count - 1);
                count--;
            }

            var index = count;
            while (index > 0 && entries[index - 1].Version > version)
            {
                entries[index] = entries[index - 1];
                index--;
            }

            entries[index] = new Entry(version, key);
            count++;
        }

        window._entries = entries;
        window._count = count;
        return window;
    }

    /// <summary>Gets the version above which every entry of the node state is listed.</summary>
    public ulong Floor { get; private set; }

    /// <summary>Gets the listed pairs, sorted by version.</summary>
    public ReadOnlySpan<Entry> Entries => _entries.AsSpan(0, _count);

    /// <summary>Lists the entry <paramref name="key"/> just stored with <paramref name="version"/>.</summary>
    public void Record(ulong version, string key)
    {
        if (version <= Floor)
        {
            return;
        }

        if (_count == _entries.Length)
        {
            if (_count >= 2 * HalfCapacity)
            {
                // Drop the older half: the floor rises to the highest dropped version.
                Floor = _entries[HalfCapacity - 1].Version;
                Array.Copy(_entries, HalfCapacity, _entries, 0, HalfCapacity);
                Array.Clear(_entries, HalfCapacity, HalfCapacity);
                _count = HalfCapacity;
                if (version <= Floor)
                {
                    return;
                }
            }
            else
            {
                Array.Resize(ref _entries, Math.Clamp(_count * 2, 8, 2 * HalfCapacity));
            }
        }

        // Insert after every pair of a version not above this one (the end, unless versions went back).
        var index = _count;
        while (index > 0 && _entries[index - 1].Version > version)
        {
            index--;
        }

        for (var i = index - 1; i >= 0 && _entries[i].Version == version; i--)
        {
            if (string.Equals(_entries[i].Key, key, StringComparison.Ordinal))
            {
                return;
            }
        }

        Array.Copy(_entries, index, _entries, index + 1, _count - index);
        _entries[index] = new Entry(version, key);
        _count++;
    }

    /// <summary>Forgets every pair; the window then covers every version above <paramref name="floor"/>.</summary>
    public void Reset(ulong floor)
    {
        Array.Clear(_entries, 0, _count);
        _count = 0;
        Floor = floor;
    }

    /// <summary>
    /// Returns the index of the first listed pair above <paramref name="floorVersion"/>, or -1 when the window
    /// does not cover that floor (some entry above it may not be listed).
    /// </summary>
    public int IndexAbove(ulong floorVersion)
    {
        if (floorVersion < Floor)
        {
            return -1;
        }

        int low = 0, high = _count;
        while (low < high)
        {
            var middle = low + ((high - low) >> 1);
            if (_entries[middle].Version <= floorVersion)
            {
                low = middle + 1;
            }
            else
            {
                high = middle;
            }
        }

        return low;
    }

    /// <summary>A listed mutation.</summary>
    /// <param name="Version">The version stored.</param>
    /// <param name="Key">The key it was stored under.</param>
    internal readonly record struct Entry(ulong Version, string Key);
}
