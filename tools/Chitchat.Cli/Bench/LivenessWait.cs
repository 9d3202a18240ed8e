using System.Diagnostics;
using Chitchat.State;

namespace Chitchat.Cli.Bench;

/// <summary>
/// Waits, through each node's <see cref="LiveMembersWatch"/>, until a condition holds on the live set of several
/// nodes, and records when it first held on each (port of chitchat perf_test.rs <c>wait_until</c>).
/// </summary>
internal static class LivenessWait
{
    /// <summary>
    /// Waits until <paramref name="predicate"/> holds on the live set of every node of
    /// <paramref name="observers"/>, or until <paramref name="timeout"/> elapses.
    /// </summary>
    /// <returns>
    /// For each observer, in order, the time from <paramref name="start"/> at which the condition first held, or
    /// null if it did not hold within the bound (or the node stopped).
    /// </returns>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled.</exception>
    public static async Task<TimeSpan?[]> UntilAsync(
        IReadOnlyList<ChitchatHandle> observers,
        Func<IReadOnlySet<ChitchatId>, bool> predicate,
        Stopwatch start,
        TimeSpan timeout,
        CancellationToken cancellationToken)
    {
        using var bound = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        bound.CancelAfter(timeout);
        var waits = observers.Select(node => WaitOneAsync(node.Chitchat.LiveMembers, predicate, start, bound.Token)).ToArray();
        var times = await Task.WhenAll(waits).ConfigureAwait(false);
        cancellationToken.ThrowIfCancellationRequested();
        return times;
    }

    private static async Task<TimeSpan?> WaitOneAsync(
        LiveMembersWatch watch,
        Func<IReadOnlySet<ChitchatId>, bool> predicate,
        Stopwatch start,
        CancellationToken cancellationToken)
    {
        try
        {
            await watch.WaitForAsync(predicate, cancellationToken).ConfigureAwait(false);
            return start.Elapsed;
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            return null;
        }
        catch (InvalidOperationException)
        {
            // The node shut down before the condition held.
            return null;
        }
    }
}
