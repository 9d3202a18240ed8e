using System.Runtime.CompilerServices;

namespace Chitchat.State;

/// <summary>
/// The set of live nodes with a copy of their state, as a "watch": the latest value is always available,
/// and readers are told when it changes (BEHAVIOUR.md §11).
/// </summary>
/// <remarks>
/// Latest-value semantics: a slow reader skips intermediate values; publishing never waits for readers,
/// so gossip is never blocked. Thread-safe. The published maps and node states are copies that nobody
/// mutates: do not mutate them either.
/// </remarks>
public sealed class LiveNodesWatch
{
    private static readonly IReadOnlyDictionary<ChitchatId, NodeState> s_empty = new SortedDictionary<ChitchatId, NodeState>();
    private volatile Generation _current = new(0, s_empty, completed: false);

    /// <summary>Gets the current value (empty until the first liveness update).</summary>
    public IReadOnlyDictionary<ChitchatId, NodeState> Current => _current.Value;

    /// <summary>Gets how many values have been published (0 = the initial empty value).</summary>
    public long Version => _current.Number;

    /// <summary>
    /// Yields the current value, then every new value as it is published (skipping values published while
    /// the reader was busy). Ends when the node shuts down or <paramref name="cancellationToken"/> is cancelled.
    /// </summary>
    /// <param name="cancellationToken">Stops the enumeration (throws <see cref="OperationCanceledException"/>).</param>
    /// <returns>The stream of live-node maps.</returns>
    public async IAsyncEnumerable<IReadOnlyDictionary<ChitchatId, NodeState>> WatchAsync(
        [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        var generation = _current;
        yield return generation.Value;
        while (!generation.Completed)
        {
            await generation.Changed.Task.WaitAsync(cancellationToken).ConfigureAwait(false);
            generation = _current;
            if (generation.Completed)
            {
                yield break;
            }

            yield return generation.Value;
        }
    }

    /// <summary>Waits until the published value satisfies <paramref name="predicate"/> and returns it.</summary>
    /// <param name="predicate">The condition.</param>
    /// <param name="cancellationToken">Stops waiting.</param>
    /// <returns>The first value (current or future) that satisfies the condition.</returns>
    /// <exception cref="InvalidOperationException">The node shut down first.</exception>
    public async Task<IReadOnlyDictionary<ChitchatId, NodeState>> WaitForAsync(
        Func<IReadOnlyDictionary<ChitchatId, NodeState>, bool> predicate,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(predicate);
        await foreach (var value in WatchAsync(cancellationToken).ConfigureAwait(false))
        {
            if (predicate(value))
            {
                return value;
            }
        }

        throw new InvalidOperationException("The chitchat node shut down before the live nodes matched the condition.");
    }

    internal void Publish(IReadOnlyDictionary<ChitchatId, NodeState> value)
    {
        var previous = _current;
        if (previous.Completed)
        {
            return;
        }

        _current = new Generation(previous.Number + 1, value, completed: false);
        previous.Changed.TrySetResult();
    }

    internal void Complete()
    {
        var previous = _current;
        if (previous.Completed)
        {
            return;
        }

        _current = new Generation(previous.Number, previous.Value, completed: true);
        previous.Changed.TrySetResult();
    }

    private sealed class Generation(long number, IReadOnlyDictionary<ChitchatId, NodeState> value, bool completed)
    {
        public long Number { get; } = number;

        public IReadOnlyDictionary<ChitchatId, NodeState> Value { get; } = value;

        public bool Completed { get; } = completed;

        // Continuations run asynchronously: Publish is called under the node's lock.
        public TaskCompletionSource Changed { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
    }
}
