namespace Chitchat.State;

/// <summary>
/// A bounded LRU map of garbage-collected members to their last heartbeat (BEHAVIOUR.md §9.3). It stops
/// peers that still gossip an old member with the same heartbeat from re-creating it as a "zombie".
/// </summary>
/// <remarks>Not thread-safe; used under the owner's lock.</remarks>
internal sealed class ForgottenNodes
{
    /// <summary>The capacity chitchat 0.13 uses (<c>GARBAGE_COLLECTED_NODE_HISTORY_SIZE</c>; 500 in 0.10).</summary>
    public const int DefaultCapacity = 5_000;

    private readonly int _capacity;
    private readonly Dictionary<ChitchatId, LinkedListNode<(ChitchatId Id, ulong Heartbeat)>> _index = [];
    private readonly LinkedList<(ChitchatId Id, ulong Heartbeat)> _recency = new();

    public ForgottenNodes(int capacity = DefaultCapacity)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(capacity, 1);
        _capacity = capacity;
    }

    public int Count => _index.Count;

    /// <summary>Returns the remembered heartbeat without changing recency (Rust's <c>peek</c>).</summary>
    public bool TryPeek(ChitchatId id, out ulong heartbeat)
    {
        if (_index.TryGetValue(id, out var node))
        {
            heartbeat = node.Value.Heartbeat;
            return true;
        }

        heartbeat = 0;
        return false;
    }

    /// <summary>Remembers <paramref name="id"/> as most recent, evicting the least recent entry when full.</summary>
    public void Push(ChitchatId id, ulong heartbeat)
    {
        if (_index.Remove(id, out var existing))
        {
            _recency.Remove(existing);
        }
        else if (_index.Count >= _capacity)
        {
            var oldest = _recency.Last!;
            _recency.RemoveLast();
            _index.Remove(oldest.Value.Id);
        }

        _index[id] = _recency.AddFirst((id, heartbeat));
    }

    /// <summary>Forgets <paramref name="id"/> (it is a member again).</summary>
    public void Remove(ChitchatId id)
    {
        if (_index.Remove(id, out var node))
        {
            _recency.Remove(node);
        }
    }
}
