namespace Chitchat.State;

/// <summary>
/// Orders the nodes that have something to offer a peer: unknown nodes first (smaller
/// max version first), then known nodes with more stale entries first; ties are shuffled.
/// Port of chitchat state.rs <c>SortedStaleNodes</c>.
/// </summary>
internal sealed class StaleNodes
{
    private readonly List<StaleNode> _nodes = [];

    public int Count => _nodes.Count;

    /// <summary>Forgets every node (the instance is reused from one delta computation to the next).</summary>
    public void Clear() => _nodes.Clear();

    /// <summary>Adds the node if it has anything above <paramref name="fromVersionExcluded"/>.</summary>
    public bool Offer(NodeState nodeState, ulong fromVersionExcluded)
    {
        if (!TryScore(nodeState, fromVersionExcluded, out var staleness))
        {
            return false;
        }

        _nodes.Add(new StaleNode(nodeState, fromVersionExcluded, staleness));
        return true;
    }

    /// <summary>Computes the staleness score, or returns false when the node has nothing newer.</summary>
    public static bool TryScore(NodeState nodeState, ulong floorVersion, out Staleness staleness)
    {
        if (nodeState.MaxVersion <= floorVersion)
        {
            staleness = default;
            return false;
        }

        var isUnknown = floorVersion == 0;
        var numStale = isUnknown ? nodeState.NumKeyValues : nodeState.CountStaleKeyValues(floorVersion);
        staleness = new Staleness(isUnknown, nodeState.MaxVersion, numStale);
        return true;
    }

    /// <summary>Returns the nodes by decreasing priority, shuffling each group of equal priority.</summary>
    public List<StaleNode> ToPriorityOrder(Random random)
    {
        // Stable sort by decreasing priority, then shuffle each run of equal priority.
        _nodes.Sort(static (a, b) => b.Staleness.CompareTo(a.Staleness));
        var start = 0;
        while (start < _nodes.Count)
        {
            var end = start + 1;
            while (end < _nodes.Count && _nodes[end].Staleness.CompareTo(_nodes[start].Staleness) == 0)
            {
                end++;
            }

            for (var i = end - 1; i > start; i--)
            {
                var j = random.Next(start, i + 1);
                (_nodes[i], _nodes[j]) = (_nodes[j], _nodes[i]);
            }

            start = end;
        }

        return _nodes;
    }
}

/// <summary>A node with updates to offer, and from which version.</summary>
internal readonly record struct StaleNode(NodeState NodeState, ulong FromVersionExcluded, Staleness Staleness);

/// <summary>Gossip priority of a stale node; a greater value is gossiped first.</summary>
internal readonly record struct Staleness(bool IsUnknown, ulong MaxVersion, int NumStaleKeyValues) : IComparable<Staleness>
{
    public int CompareTo(Staleness other)
    {
        var byUnknown = IsUnknown.CompareTo(other.IsUnknown);
        if (byUnknown != 0)
        {
            return byUnknown;
        }

        // Unknown nodes: the smaller state spreads first. Known nodes: more stale entries first.
        return IsUnknown
            ? other.MaxVersion.CompareTo(MaxVersion)
            : NumStaleKeyValues.CompareTo(other.NumStaleKeyValues);
    }
}
