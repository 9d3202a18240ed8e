using System.Collections;

namespace Chitchat.State;

/// <summary>
/// An immutable set of member ids held as one sorted array: what the live-members watch publishes.
/// </summary>
/// <remarks>
/// Every node publishes a new live set each time membership changes and keeps the current one, so a set costs one
/// reference per member (a balanced tree costs a node object per member, six times as much) and is built in one
/// pass from the node states, which are already in id order. Lookups are binary searches. Enumerates in id order.
/// Thread-safe: never modified after construction.
/// </remarks>
internal sealed class SortedIdSet : IReadOnlySet<ChitchatId>
{
    private readonly ChitchatId[] _ids;

    /// <summary>Wraps <paramref name="ids"/>, which must be sorted, distinct, and never modified again.</summary>
    /// <param name="ids">The ids, in ascending order.</param>
    public SortedIdSet(ChitchatId[] ids)
    {
        _ids = ids;
    }

    /// <summary>Gets the empty set.</summary>
    public static SortedIdSet Empty { get; } = new([]);

    public int Count => _ids.Length;

    /// <summary>Returns whether this set has exactly the ids of <paramref name="ids"/> (sorted, distinct).</summary>
    /// <param name="ids">Sorted, distinct ids.</param>
    /// <returns>Whether the two are equal.</returns>
    public bool SequenceEqual(ReadOnlySpan<ChitchatId> ids)
    {
        if (ids.Length != _ids.Length)
        {
            return false;
        }

        for (var i = 0; i < ids.Length; i++)
        {
            if (!ids[i].Equals(_ids[i]))
            {
                return false;
            }
        }

        return true;
    }

    public bool Contains(ChitchatId item) => item is not null && Array.BinarySearch(_ids, item) >= 0;

    public IEnumerator<ChitchatId> GetEnumerator() => ((IEnumerable<ChitchatId>)_ids).GetEnumerator();

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();

    public bool IsProperSubsetOf(IEnumerable<ChitchatId> other)
    {
        var (inBoth, notInThis) = Compare(other);
        return inBoth == Count && notInThis > 0;
    }

    public bool IsProperSupersetOf(IEnumerable<ChitchatId> other)
    {
        var (inBoth, notInThis) = Compare(other);
        return notInThis == 0 && inBoth < Count;
    }

    public bool IsSubsetOf(IEnumerable<ChitchatId> other) => Compare(other).InBoth == Count;

    public bool IsSupersetOf(IEnumerable<ChitchatId> other) => Compare(other).NotInThis == 0;

    public bool Overlaps(IEnumerable<ChitchatId> other)
    {
        ArgumentNullException.ThrowIfNull(other);
        foreach (var id in other)
        {
            if (Contains(id))
            {
                return true;
            }
        }

        return false;
    }

    public bool SetEquals(IEnumerable<ChitchatId> other)
    {
        var (inBoth, notInThis) = Compare(other);
        return inBoth == Count && notInThis == 0;
    }

    // How many distinct ids of other are in this set, and how many are not.
    private (int InBoth, int NotInThis) Compare(IEnumerable<ChitchatId> other)
    {
        ArgumentNullException.ThrowIfNull(other);
        var distinct = other is IReadOnlySet<ChitchatId> or ISet<ChitchatId> ? other : new HashSet<ChitchatId>(other);
        int inBoth = 0, notInThis = 0;
        foreach (var id in distinct)
        {
            if (Contains(id))
            {
                inBoth++;
            }
            else
            {
                notInThis++;
            }
        }

        return (inBoth, notInThis);
    }
}
