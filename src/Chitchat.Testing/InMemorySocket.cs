using System.Net;
using System.Runtime.CompilerServices;
using System.Collections.Concurrent;
using System.Threading.Tasks.Sources;
using Chitchat.Transport;
using Chitchat.Wire;

namespace Chitchat.Testing;

/// <summary>
/// A socket of an <see cref="InMemoryTransport"/>: an address and a bounded inbox. Port of chitchat's
/// <c>transport::channel::InProcessSocket</c>.
/// </summary>
/// <remarks>Thread-safe as <see cref="ISocket"/> requires; the inbox never blocks a sender.</remarks>
internal sealed class InMemorySocket : ISocket, IValueTaskSource<bool>
{
    // Reader states: idle, messages signalled since the last wait, or a receive waiting for a message.
    private const int Idle = 0;
    private const int Signalled = 1;
    private const int Waiting = 2;

    private readonly InMemoryTransport _broker;

    // The inbox: a lock-free queue bounded by a count, so that hundreds of senders writing to one node (a seed, at
    // start-up) do not contend on a lock. The single receiver waits on _wakeUp when it finds the queue empty.
    private readonly ConcurrentQueue<ReceivedMessage> _inbox = new();
    private ManualResetValueTaskSourceCore<bool> _wakeUp = new() { RunContinuationsAsynchronously = true };
    private int _count;
    private int _readerState;
    private int _receiving;
    private int _disposed;

    public InMemorySocket(InMemoryTransport broker, IPEndPoint localEndPoint)
    {
        _broker = broker;
        LocalEndPoint = localEndPoint;
    }

    /// <inheritdoc />
    public IPEndPoint LocalEndPoint { get; }

    /// <inheritdoc />
    /// <exception cref="MessageTooLargeException">The encoded message exceeds the broker's MTU.</exception>
    /// <exception cref="InvalidOperationException">The message does not survive an encode/decode round trip (a codec bug).</exception>
    public ValueTask<int> SendAsync(IPEndPoint to, ChitchatMessage message, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(to);
        ArgumentNullException.ThrowIfNull(message);
        ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);
        cancellationToken.ThrowIfCancellationRequested();
        return ValueTask.FromResult(_broker.Send(LocalEndPoint, to, message));
    }

    /// <inheritdoc />
    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))] // No state machine allocation per wait.
    public async ValueTask<ReceivedMessage> ReceiveAsync(CancellationToken cancellationToken = default)
    {
        ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);
        if (Interlocked.Exchange(ref _receiving, 1) != 0)
        {
            throw new InvalidOperationException("A receive is already pending on this socket; only one receiver is allowed at a time.");
        }

        try
        {
            while (true)
            {
                cancellationToken.ThrowIfCancellationRequested();
                if (_inbox.TryDequeue(out var message))
                {
                    Interlocked.Decrement(ref _count);
                    return message;
                }

                ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);
                var wait = PrepareWait(cancellationToken, out var cancellation);
                try
                {
                    await wait.ConfigureAwait(false);
                }
                finally
                {
                    cancellation.Dispose();
                }
            }
        }
        finally
        {
            Volatile.Write(ref _receiving, 0);
        }
    }

    /// <inheritdoc />
    public ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 0)
        {
            _broker.Close(this);

            // Wakes a pending receive, which then sees the disposal.
            Signal();
        }

        return ValueTask.CompletedTask;
    }

    /// <summary>Queues a message unless the inbox is full or closed.</summary>
    /// <returns>Whether the message was queued.</returns>
    internal bool TryDeliver(in ReceivedMessage message)
    {
        if (Volatile.Read(ref _disposed) != 0)
        {
            return false;
        }

        if (Interlocked.Increment(ref _count) > InMemoryTransport.InboxCapacity)
        {
            Interlocked.Decrement(ref _count);
            return false;
        }

        _inbox.Enqueue(message);
        Signal();
        return true;
    }

    bool IValueTaskSource<bool>.GetResult(short token) => _wakeUp.GetResult(token);

    ValueTaskSourceStatus IValueTaskSource<bool>.GetStatus(short token) => _wakeUp.GetStatus(token);

    void IValueTaskSource<bool>.OnCompleted(Action<object?> continuation, object? state, short token, ValueTaskSourceOnCompletedFlags flags) =>
        _wakeUp.OnCompleted(continuation, state, token, flags);

    // Wakes the receiver if it waits; otherwise leaves a signal that its next wait consumes at once.
    private void Signal()
    {
        if (Interlocked.Exchange(ref _readerState, Signalled) == Waiting)
        {
            _wakeUp.SetResult(true);
        }
    }

    // Called by the single receiver after it found the inbox empty: what to await before looking again.
    private ValueTask<bool> PrepareWait(CancellationToken cancellationToken, out CancellationTokenRegistration cancellation)
    {
        cancellation = default;

        // A message (or the disposal) signalled since the last wait: look at the inbox again.
        if (Interlocked.CompareExchange(ref _readerState, Idle, Signalled) == Signalled)
        {
            return new ValueTask<bool>(true);
        }

        _wakeUp.Reset();
        var wait = new ValueTask<bool>(this, _wakeUp.Version);
        if (Interlocked.CompareExchange(ref _readerState, Waiting, Idle) != Idle)
        {
            // Signalled in between: no need to wait.
            Volatile.Write(ref _readerState, Idle);
            return new ValueTask<bool>(true);
        }

        if (cancellationToken.CanBeCanceled)
        {
            // Disposed by the receiver once the wait is over, however it ended.
            cancellation = cancellationToken.UnsafeRegister(
                static (state, token) =>
                {
                    var socket = (InMemorySocket)state!;

                    // Only one of Signal and cancellation takes the receiver out of the waiting state.
                    if (Interlocked.CompareExchange(ref socket._readerState, Idle, Waiting) == Waiting)
                    {
                        socket._wakeUp.SetException(new OperationCanceledException(token));
                    }
                },
                this);
        }

        return wait;
    }
}
