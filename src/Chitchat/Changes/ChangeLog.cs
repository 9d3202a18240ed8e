using Chitchat.Listeners;

namespace Chitchat.Changes;

/// <summary>
/// Collects the changes of one node's state while its lock is held, and delivers them after the lock is
/// released: to the key-change listeners and to the change streams, in the order the changes happened.
/// </summary>
/// <remarks>
/// <para>
/// Why: user callbacks must never run under the node's lock (a slow one would stall gossip, and one that
/// writes to the node would re-enter the state machine half-way through a mutation). Mutations record
/// their changes here under the lock; whoever releases the lock then calls <see cref="Dispatch"/>.
/// </para>
/// <para>
/// One dispatcher at a time: the first thread to find pending changes becomes the dispatcher and delivers
/// batches until none is left; a thread that finds a dispatcher at work leaves its changes to it. So
/// listeners run in order, one at a time, and never re-entrantly: a listener that writes a key records a
/// new change, which the same dispatch loop delivers after the listener returns.
/// </para>
/// <para>
/// Nothing is recorded (and nothing allocated) while no listener and no stream is registered.
/// Thread safety: <see cref="Record"/> is called under the node's lock; <see cref="Dispatch"/> from any
/// thread, without it.
/// </para>
/// </remarks>
internal sealed class ChangeLog
{
    private List<ClusterChange> _pending = [];
    private List<ClusterChange>? _spare = [];
    private bool _dispatching;

    public ChangeLog(ListenerRegistry? listeners = null)
    {
        Listeners = listeners ?? new ListenerRegistry();
    }

    /// <summary>Gets the prefix listeners.</summary>
    public ListenerRegistry Listeners { get; }

    /// <summary>Gets the change streams.</summary>
    public ChangeStreamHub Streams { get; } = new();

    /// <summary>Gets whether anyone would receive a change; when not, changes are not even built.</summary>
    public bool IsObserved => !Listeners.IsEmpty || Streams.HasSubscribers;

    /// <summary>Gets the number of changes waiting for delivery (under the lock).</summary>
    public int PendingCount => _pending.Count;

    /// <summary>Records a change (under the node's lock).</summary>
    public void Record(ClusterChange change) => _pending.Add(change);

    public void KeySet(ChitchatId node, string key, VersionedValue value)
    {
        if (IsObserved)
        {
            Record(new ClusterChange(ClusterChangeKind.KeySet, node, value.Version, key, value.Value));
        }
    }

    public void KeyRemoved(ClusterChangeKind kind, ChitchatId node, string key, VersionedValue previous, ulong version)
    {
        if (IsObserved)
        {
            Record(new ClusterChange(kind, node, version, key, previous.Value));
        }
    }

    public void Member(ClusterChangeKind kind, ChitchatId node, ulong maxVersion)
    {
        if (IsObserved)
        {
            Record(new ClusterChange(kind, node, maxVersion));
        }
    }

    /// <summary>
    /// Delivers the pending changes, unless another thread (or an outer frame of this one) is already
    /// delivering, in which case that dispatcher delivers them. Call without holding <paramref name="gate"/>.
    /// </summary>
    /// <param name="gate">The node's lock, which guards the pending list.</param>
    public void Dispatch(Lock gate)
    {
        List<ClusterChange> batch;
        lock (gate)
        {
            if (_dispatching || _pending.Count == 0)
            {
                return;
            }

            _dispatching = true;
            batch = Swap();
        }

        try
        {
            while (true)
            {
                foreach (var change in batch)
                {
                    Deliver(change);
                }

                batch.Clear();
                lock (gate)
                {
                    _spare = batch;
                    if (_pending.Count == 0)
                    {
                        _dispatching = false;
                        return;
                    }

                    batch = Swap();
                }
            }
        }
        catch
        {
            // Deliver never throws (listeners are isolated); this only keeps the log usable after a bug.
            lock (gate)
            {
                _dispatching = false;
            }

            throw;
        }
    }

    private List<ClusterChange> Swap()
    {
        var batch = _pending;
        _pending = _spare ?? [];
        _spare = null;
        return batch;
    }

    private void Deliver(ClusterChange change)
    {
        if (change.Key is not null && !Listeners.IsEmpty)
        {
            Listeners.Trigger(change);
        }

        Streams.Publish(change);
    }
}
