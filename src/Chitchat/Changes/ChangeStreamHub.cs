using System.Runtime.CompilerServices;

namespace Chitchat.Changes;

/// <summary>The readers of a node's change stream, each with its own bounded queue.</summary>
/// <remarks>
/// <para>
/// Overflow policy: a reader never slows the node down. When a reader's queue is full, further changes are
/// dropped for that reader only and counted; once the reader has made room, it first receives one
/// <see cref="ClusterChangeKind.Overflow"/> change carrying the number of dropped changes, at the place where
/// they were dropped, then the changes that followed. Other readers are unaffected.
/// </para>
/// <para>Thread-safe. <see cref="Publish"/> is called by one dispatcher at a time, in change order.</para>
/// </remarks>
internal sealed class ChangeStreamHub
{
    /// <summary>The default number of changes a reader may fall behind before changes are dropped.</summary>
    public const int DefaultCapacity = 4096;

    private readonly Lock _gate = new();
    private volatile Reader[] _readers = [];
    private bool _completed;

    public bool HasSubscribers => _readers.Length != 0;

    public void Publish(ClusterChange change)
    {
        foreach (var reader in _readers)
        {
            reader.Write(change);
        }
    }

    /// <summary>Ends every stream (the node stopped): readers receive what is queued, then the stream ends.</summary>
    public void Complete()
    {
        Reader[] readers;
        lock (_gate)
        {
            _completed = true;
            readers = _readers;
            _readers = [];
        }

        foreach (var reader in readers)
        {
            reader.Complete();
        }
    }

    public async IAsyncEnumerable<ClusterChange> ReadAllAsync(
        ChitchatId self,
        int capacity,
        [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(capacity, 1);
        var reader = new Reader(self, capacity);
        lock (_gate)
        {
            if (_completed)
            {
                yield break;
            }

            _readers = [.. _readers, reader];
        }

        try
        {
            while (true)
            {
                var next = await reader.ReadAsync(cancellationToken).ConfigureAwait(false);
                if (next is null)
                {
                    yield break;
                }

                yield return next;
            }
        }
        finally
        {
            lock (_gate)
            {
                _readers = Array.FindAll(_readers, r => !ReferenceEquals(r, reader));
            }
        }
    }

    private sealed class Reader(ChitchatId self, int capacity)
    {
        private readonly Lock _gate = new();
        private readonly Queue<ClusterChange> _queue = new();
        private long _dropped;
        private bool _completed;
        private TaskCompletionSource? _waiter;

        public void Write(ClusterChange change)
        {
            TaskCompletionSource? waiter;
            lock (_gate)
            {
                if (_completed)
                {
                    return;
                }

                if (_dropped > 0 && _queue.Count < capacity)
                {
                    _queue.Enqueue(OverflowMarker());
                }

                if (_dropped == 0 && _queue.Count < capacity)
                {
                    _queue.Enqueue(change);
                }
                else
                {
                    _dropped++;
                }

                waiter = _waiter;
                _waiter = null;
            }

            waiter?.TrySetResult();
        }

        public void Complete()
        {
            TaskCompletionSource? waiter;
            lock (_gate)
            {
                _completed = true;
                waiter = _waiter;
                _waiter = null;
            }

            waiter?.TrySetResult();
        }

        public async ValueTask<ClusterChange?> ReadAsync(CancellationToken cancellationToken)
        {
            while (true)
            {
                Task wait;
                lock (_gate)
                {
                    if (_queue.TryDequeue(out var change))
                    {
                        return change;
                    }

                    if (_dropped > 0)
                    {
                        return OverflowMarker();
                    }

                    if (_completed)
                    {
                        return null;
                    }

                    _waiter ??= new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
                    wait = _waiter.Task;
                }

                await wait.WaitAsync(cancellationToken).ConfigureAwait(false);
            }
        }

        // Under _gate.
        private ClusterChange OverflowMarker()
        {
            var marker = new ClusterChange(ClusterChangeKind.Overflow, self, 0) { DroppedCount = _dropped };
            _dropped = 0;
            return marker;
        }
    }
}
