using System.Diagnostics.CodeAnalysis;

namespace Chitchat.State;

/// <summary>
/// The node states of a <see cref="ClusterState"/>, by id: a hash map for lookups and a list sorted by
/// <see cref="ChitchatId"/> for ordered iteration.
/// </summary>
/// <remarks>
/// Gossip looks node states up for every digest entry of every message and walks them all in id order
/// several times per message, while members join and leave rarely. A sorted tree made every lookup cost
/// O(log n) id comparisons and every walk allocate an enumerator stack; here lookups are one hash probe
/// (the id caches its hash code) and <see cref="InOrder"/> is walked with <see cref="List{T}"/>'s struct
/// enumerator. Adding or removing a member shifts the sorted list (O(n) pointer moves).
/// Not thread-safe; used under the owner's lock.
/// </remarks>
internal sealed class NodeStateMap : IReadOnlyDictionary<ChitchatId, NodeState>
{
    private readonly Dictionary<ChitchatId, NodeState> _byId = [];
    private readonly List<NodeState> _inOrder = [];

    /// <summary>Gets the node states sorted by <see cref="ChitchatId"/>. Do not modify.</summary>
    public List<NodeState> InOrder => _inOrder;

    public int Count => _inOrder.Count;

    public IEnumerable<ChitchatId> Keys
    {
        get
        {
            foreach (var state in _inOrder)
            {
                yield return state.ChitchatId;
            }
        }
    }

    public IEnumerable<NodeState> Values => _inOrder;

    public NodeState this[ChitchatId key] => _byId[key];

    public bool ContainsKey(ChitchatId key) => _byId.ContainsKey(key);

    public bool TryGetValue(ChitchatId key, [MaybeNullWhen(false)] out NodeState value) => _byId.TryGetValue(key, out value);

    /// <summary>Adds a state whose id is not present yet.</summary>
    public void Add(NodeState state)
    {
        _byId.Add(state.ChitchatId, state);
        var index = IndexOf(state.ChitchatId);
        _inOrder.Insert(~index, state);
    }

    public bool Remove(ChitchatId id, [MaybeNullWhen(false)] out NodeState state)
    {
        if (!_byId.Remove(id, out state))
        {
            return false;
        }

        _inOrder.RemoveAt(IndexOf(id));
        return true;
    }

    public IEnumerator<KeyValuePair<ChitchatId, NodeState>> GetEnumerator()
    {
        foreach (var state in _inOrder)
        {
            yield return new KeyValuePair<ChitchatId, NodeState>(state.ChitchatId, state);
        }
    }

    System.Collections.IEnumerator System.Collections.IEnumerable.GetEnumerator() => GetEnumerator();

    // Binary search by id: the index if found, else the bitwise complement of the insertion point.
    private int IndexOf(ChitchatId id)
    {
        int low = 0, high = _inOrder.Count - 1;
        while (low <= high)
        {
            var middle = low + ((high - low) >> 1);
            var comparison = _inOrder[middle].ChitchatId.CompareTo(id);
            if (comparison == 0)
            {
                return middle;
            }

            if (comparison < 0)
            {
                low = middle + 1;
            }
            else
            {
                high = middle - 1;
            }
        }

        return ~low;
    }
}
