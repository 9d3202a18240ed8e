using System.Globalization;
using System.Text;

namespace Chitchat.Testing.Simulation;

public sealed partial class ClusterSimulation
{
    /// <summary>
    /// Returns whether the running nodes agree: each sees every other running node live, at its owner's current
    /// max version, and sees no node live that is not running.
    /// </summary>
    /// <returns>Whether the cluster has converged.</returns>
    public bool IsConverged() => DescribeDivergence(maxReasons: 0) is null;

    /// <summary>Returns whether every running node other than <paramref name="id"/> no longer sees it live.</summary>
    /// <param name="id">The node (typically crashed, paused or partitioned away).</param>
    /// <returns>Whether every other running node has detected it.</returns>
    public bool IsSeenDeadByAll(ChitchatId id)
    {
        ArgumentNullException.ThrowIfNull(id);
        foreach (var observer in _nodes)
        {
            if (observer.IsRunning && !observer.Id.Equals(id) && observer.Instance.FailureDetector.IsLive(id))
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>Throws unless <see cref="IsConverged"/> holds; the message names the first disagreements.</summary>
    /// <exception cref="SimulationAssertionException">The cluster has not converged.</exception>
    public void AssertConverged()
    {
        if (DescribeDivergence(maxReasons: 5) is { } reasons)
        {
            throw new SimulationAssertionException($"The cluster has not converged after {Elapsed.TotalMilliseconds:0} ms of virtual time: {reasons}");
        }
    }

    /// <summary>Throws unless every running node other than <paramref name="node"/> has detected it.</summary>
    /// <param name="node">The node expected to be seen dead.</param>
    /// <exception cref="SimulationAssertionException">Some node still sees it live.</exception>
    public void AssertSeenDeadByAll(SimulatedNode node)
    {
        ArgumentNullException.ThrowIfNull(node);
        var stillLive = _nodes
            .Where(observer => observer.IsRunning && observer != node && observer.Instance.FailureDetector.IsLive(node.Id))
            .Select(static observer => observer.NodeId)
            .ToList();
        if (stillLive.Count > 0)
        {
            throw new SimulationAssertionException(
                $"{stillLive.Count} running nodes still see {node.Id} live after {Elapsed.TotalMilliseconds:0} ms of virtual time: {string.Join(", ", stillLive.Take(5))}");
        }
    }

    /// <summary>Throws if any false death happened (see <see cref="FalseDeaths"/>).</summary>
    /// <exception cref="SimulationAssertionException">Some live node was declared dead.</exception>
    public void AssertNoFalseDeaths()
    {
        if (FalseDeathCount > 0)
        {
            var first = string.Join("; ", _falseDeaths.Take(5).Select(static death =>
                string.Create(CultureInfo.InvariantCulture, $"{death.Observer} declared {death.Subject} dead at {death.At.TotalMilliseconds:0} ms")));
            throw new SimulationAssertionException($"{FalseDeathCount} false deaths: {first}");
        }
    }

    /// <summary>Returns why the cluster has not converged (up to <paramref name="maxReasons"/> reasons), or null if it has.</summary>
    private string? DescribeDivergence(int maxReasons)
    {
        // The cheap test first: each running node's live set has the size of the running set.
        if (maxReasons == 0)
        {
            foreach (var observer in _nodes)
            {
                if (observer.IsRunning && observer.Instance.LiveMembers.Current.Count != _runningCount)
                {
                    return string.Empty;
                }
            }
        }

        StringBuilder? reasons = null;
        var count = 0;
        foreach (var observer in _nodes)
        {
            if (!observer.IsRunning)
            {
                continue;
            }

            var instance = observer.Instance;
            var detector = instance.FailureDetector;
            var live = 0;
            foreach (var subject in _nodes)
            {
                if (subject == observer || !subject.IsRunning)
                {
                    continue;
                }

                string? reason = null;
                if (!detector.IsLive(subject.Id))
                {
                    reason = "does not see it live";
                }
                else if (instance.NodeState(subject.Id) is not { } replica || replica.MaxVersion != subject.Instance.SelfNodeState.MaxVersion)
                {
                    reason = "has an older state of it";
                }
                else
                {
                    live++;
                }

                if (reason is not null && !Add($"{observer.NodeId} {reason}: {subject.Id}"))
                {
                    return reasons?.ToString() ?? string.Empty;
                }
            }

            var extra = detector.LiveNodes.Count() - live;
            if (extra > 0 && !Add($"{observer.NodeId} sees {extra} nodes live that are not running"))
            {
                return reasons?.ToString() ?? string.Empty;
            }
        }

        return reasons?.ToString();

        bool Add(string reason)
        {
            count++;
            if (count > maxReasons)
            {
                return false;
            }

            reasons ??= new StringBuilder();
            if (reasons.Length > 0)
            {
                reasons.Append("; ");
            }

            reasons.Append(reason);
            return true;
        }
    }
}
