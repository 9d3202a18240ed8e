using Chitchat.State;

namespace Chitchat.Cli.Bench;

/// <summary>
/// Counts false death declarations in a converged cluster where no node fails: every time an observer's view
/// of some node turns from live to dead (missing from its live set, or in its failure detector's dead set).
/// </summary>
/// <remarks>
/// Each observer's view is sampled at every change of its <see cref="LiveMembersWatch"/> and, in case a node
/// turns dead and live again between two changes, on a timer every gossip interval. Thread-safe.
/// </remarks>
internal sealed class FalseDeathMonitor
{
    private readonly IReadOnlyList<ChitchatHandle> _nodes;
    private readonly ChitchatId[] _ids;
    private readonly HashSet<ChitchatId>[] _deadViews;
    private readonly HashSet<ChitchatId> _subjects = [];
    private readonly Lock _gate = new();
    private int _falseDeaths;

    public FalseDeathMonitor(IReadOnlyList<ChitchatHandle> nodes)
    {
        _nodes = nodes;
        _ids = nodes.Select(node => node.ChitchatId).ToArray();
        _deadViews = nodes.Select(_ => new HashSet<ChitchatId>()).ToArray();
    }

    /// <summary>Gets the number of (observer, node) live-to-dead transitions seen so far.</summary>
    public int FalseDeaths
    {
        get
        {
            lock (_gate)
            {
                return _falseDeaths;
            }
        }
    }

    /// <summary>Gets how many distinct nodes some observer declared dead.</summary>
    public int Subjects
    {
        get
        {
            lock (_gate)
            {
                return _subjects.Count;
            }
        }
    }

    /// <summary>Observes every node for <paramref name="duration"/>.</summary>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled.</exception>
    public async Task RunAsync(TimeSpan duration, TimeSpan pollPeriod, CancellationToken cancellationToken)
    {
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        stop.CancelAfter(duration);
        var loops = Enumerable.Range(0, _nodes.Count).Select(i => WatchAsync(i, stop.Token)).Append(PollAsync(pollPeriod, stop.Token));
        await Task.WhenAll(loops).ConfigureAwait(false);
        cancellationToken.ThrowIfCancellationRequested();
    }

    private async Task WatchAsync(int observer, CancellationToken cancellationToken)
    {
        try
        {
            await foreach (var _ in _nodes[observer].Chitchat.LiveMembers.WatchAsync(cancellationToken).ConfigureAwait(false))
            {
                Sample(observer);
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // The observation is over.
        }
    }

    private async Task PollAsync(TimeSpan period, CancellationToken cancellationToken)
    {
        using var timer = new PeriodicTimer(period);
        try
        {
            while (await timer.WaitForNextTickAsync(cancellationToken).ConfigureAwait(false))
            {
                for (var observer = 0; observer < _nodes.Count; observer++)
                {
                    Sample(observer);
                }
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // The observation is over.
        }
    }

    private void Sample(int observer)
    {
        // Read and compare under one lock, so that a stale view read by one loop cannot overwrite a newer one.
        lock (_gate)
        {
            var node = _nodes[observer];
            var live = node.Chitchat.LiveMembers.Current;
            var dead = node.Chitchat.GetClusterState().DeadNodes.ToHashSet();
            foreach (var id in _ids)
            {
                if (!live.Contains(id))
                {
                    dead.Add(id);
                }
            }

            var view = _deadViews[observer];
            foreach (var id in dead)
            {
                if (view.Add(id))
                {
                    _falseDeaths++;
                    _subjects.Add(id);
                }
            }

            view.IntersectWith(dead);
        }
    }
}
