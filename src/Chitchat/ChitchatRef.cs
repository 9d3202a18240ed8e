using Chitchat.State;

namespace Chitchat;

/// <summary>
/// Shared access to the state machine of a running node: a <see cref="ChitchatInstance"/> guarded by a lock
/// that the server's gossip loop also takes. Port of chitchat's <c>Arc&lt;Mutex&lt;Chitchat&gt;&gt;</c>.
/// </summary>
/// <remarks>
/// <para>
/// Thread-safe: <see cref="With{T}(Func{ChitchatInstance, T})"/> may be called from any thread. The lock is a
/// plain (re-entrant) monitor, held only while the callback runs: the loop never holds it across an
/// <c>await</c> or while sending, so callers wait at most for one message to be processed.
/// </para>
/// <para>
/// Keep callbacks short and do not block or await inside them (the node cannot gossip meanwhile), and do not
/// keep the <see cref="ChitchatInstance"/> or its <see cref="NodeState"/> objects for use after the callback
/// returns: outside the lock they may change under you. Copy what you need
/// (<see cref="ChitchatInstance.StateSnapshot"/>) instead.
/// </para>
/// </remarks>
public sealed class ChitchatRef
{
    private readonly Lock _gate = new();
    private readonly ChitchatInstance _chitchat;

    internal ChitchatRef(ChitchatInstance chitchat)
    {
        _chitchat = chitchat;
    }

    /// <summary>Gets the node's identity. Immutable; no lock needed.</summary>
    public ChitchatId ChitchatId => _chitchat.SelfChitchatId;

    /// <summary>
    /// Gets the live-nodes watch of the node (BEHAVIOUR.md §11). The watch is thread-safe on its own: read or
    /// await it without taking the lock. It completes when the server stops.
    /// </summary>
    public LiveNodesWatch LiveNodesWatch => _chitchat.LiveNodesWatch;

    /// <summary>The lock; the server takes it around every access to the state machine.</summary>
    internal Lock Gate => _gate;

    /// <summary>The state machine itself, for the server loop, which takes <see cref="Gate"/> around each use.</summary>
    internal ChitchatInstance Instance => _chitchat;

    /// <summary>Runs <paramref name="func"/> with exclusive access to the state machine and returns its result.</summary>
    /// <typeparam name="T">The result type.</typeparam>
    /// <param name="func">The callback; runs under the lock on the calling thread.</param>
    /// <returns>What <paramref name="func"/> returned.</returns>
    public T With<T>(Func<ChitchatInstance, T> func)
    {
        ArgumentNullException.ThrowIfNull(func);
        lock (_gate)
        {
            return func(_chitchat);
        }
    }

    /// <summary>Runs <paramref name="action"/> with exclusive access to the state machine.</summary>
    /// <param name="action">The callback; runs under the lock on the calling thread.</param>
    public void With(Action<ChitchatInstance> action)
    {
        ArgumentNullException.ThrowIfNull(action);
        lock (_gate)
        {
            action(_chitchat);
        }
    }

    /// <summary>
    /// Runs <paramref name="func"/> with exclusive access to the state machine without blocking the calling
    /// thread while the lock is busy: if the lock is free the callback runs at once on the calling thread,
    /// otherwise on the thread pool once the lock is acquired.
    /// </summary>
    /// <typeparam name="T">The result type.</typeparam>
    /// <param name="func">The callback; runs under the lock.</param>
    /// <param name="cancellationToken">Cancels the call if it has not started running the callback yet.</param>
    /// <returns>What <paramref name="func"/> returned.</returns>
    public ValueTask<T> WithAsync<T>(Func<ChitchatInstance, T> func, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(func);
        if (cancellationToken.IsCancellationRequested)
        {
            return ValueTask.FromCanceled<T>(cancellationToken);
        }

        if (_gate.TryEnter())
        {
            try
            {
                return new ValueTask<T>(func(_chitchat));
            }
            catch (Exception ex)
            {
                return ValueTask.FromException<T>(ex);
            }
            finally
            {
                _gate.Exit();
            }
        }

        return new ValueTask<T>(Task.Run(() => With(func), cancellationToken));
    }
}
