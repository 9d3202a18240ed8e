using System.Runtime.CompilerServices;

namespace Chitchat.State;

/// <summary>
/// The set of live members as a "watch": the latest value is always available, and readers are told when
/// it changes. Port of chitchat's live-nodes watcher.
/// </summary>
/// <remarks>
/// <para>
/// The value is the immutable, id-ordered set of members the local node considers live: itself, and the
/// members the failure detector finds live and that pass <see cref="ChitchatConfig.ExtraLivenessPredicate"/>.
/// A new value is published only when that set changes (a member becomes live, dead, or passes or fails
/// the predicate); key-value and heartbeat changes do not publish. To follow the members' key-values, read
/// <see cref="ChitchatRef.WatchChangesAsync"/> (every change) or take snapshots with
/// <see cref="ChitchatRef.TryGetNodeState"/>.
/// </para>
/// <para>
/// Latest-value semantics: a slow reader skips intermediate values; publishing never waits for readers,
/// so gossip is never blocked. Thread-safe.
/// </para>
/// </remarks>
public sealed class LiveMembersWatch
{
    private static readonly IReadOnlySet<ChitchatId> s_empty = SortedIdSet.Empty;
    private volatile Generation _current = new(0, s_empty, completed: false);

    internal LiveMembersWatch()
    {
    }

    /// <summary>Gets the current set of live members, in id order (empty until the first liveness update).</summary>
    public IReadOnlySet<ChitchatId> Current => _current.Value;

    /// <summary>Gets how many values have been published (0 = the initial empty value).</summary>
    public long Version => _current.Number;

    /// <summary>
    /// Yields the current value, then every new value as it is published (skipping values published while
    /// the reader was busy). Ends when the node shuts down or <paramref name="cancellationToken"/> is cancelled.
    /// </summary>
    /// <param name="cancellationToken">Stops the enumeration (throws <see cref="OperationCanceledException"/>).</param>
    /// <returns>The stream of live-member sets.</returns>
    public async IAsyncEnumerable<IReadOnlySet<ChitchatId>> WatchAsync(
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
    public async Task<IReadOnlySet<ChitchatId>> WaitForAsync(
        Func<IReadOnlySet<ChitchatId>, bool> predicate,
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

        throw new InvalidOperationException("The chitchat node shut down before the live members matched the condition.");
    }

    internal void Publish(IReadOnlySet<ChitchatId> value)
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

    private sealed class Generation(long number, IReadOnlySet<ChitchatId> value, bool completed)
    {
        public long Number { get; } = number;

        public IReadOnlySet<ChitchatId> Value { get; } = value;

        public bool Completed { get; } = completed;

        // Continuations run asynchronously: Publish is called under the node's lock.
        public TaskCompletionSource Changed { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
    }
}
