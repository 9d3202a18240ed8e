using System.Diagnostics;
using System.Globalization;
using System.Text;
using Xunit.Abstractions;

namespace Chitchat.NetnsTests;

/// <summary>
/// Bounded waits on what nodes report over HTTP, and the figures the scenarios measure. A wait polls every node
/// until the condition holds on all of them or the deadline passes; it never sleeps for a fixed time instead.
/// </summary>
internal sealed class ClusterWatch(ITestOutputHelper output, string scenario)
{
    private static readonly TimeSpan s_pollInterval = TimeSpan.FromMilliseconds(100);
    private static readonly object s_figuresLock = new();

    /// <summary>
    /// Waits until <paramref name="condition"/> holds for the view of every node in <paramref name="nodes"/> at the
    /// same poll; returns the time it took, counted from <paramref name="since"/> if given (the moment a fault was
    /// injected or removed). Fails after <paramref name="timeout"/> with the views that did not hold.
    /// </summary>
    public async Task<TimeSpan> UntilAllAsync(
        IReadOnlyCollection<LabNode> nodes, Func<LabNode, NodeView, bool> condition, TimeSpan timeout, string what, Stopwatch? since = null)
    {
        var stopwatch = since ?? Stopwatch.StartNew();
        var deadline = stopwatch.Elapsed + timeout;
        var failing = new Dictionary<LabNode, NodeView?>();
        while (true)
        {
            var views = await Task.WhenAll(nodes.Select(async node => (Node: node, View: await node.TryGetStateAsync())));
            failing.Clear();
            foreach (var (node, view) in views)
            {
                if (view is null || !condition(node, view))
                {
                    failing[node] = view;
                }
            }

            if (failing.Count == 0)
            {
                output.WriteLine($"[{stopwatch.Elapsed.TotalSeconds,6:0.00} s] {what}");
                return stopwatch.Elapsed;
            }

            if (stopwatch.Elapsed > deadline)
            {
                var message = new StringBuilder($"timed out after {timeout.TotalSeconds} s waiting until {what}; not yet on {failing.Count} node(s):\n");
                foreach (var (node, view) in failing.Take(3))
                {
                    message.Append(CultureInfo.InvariantCulture, $"--- {node}: {view?.ToString() ?? "no answer"}\n{node.Process.Describe(15)}\n");
                }

                throw new Xunit.Sdk.XunitException(message.ToString());
            }

            await Task.Delay(s_pollInterval);
        }
    }

    /// <summary>
    /// Lets the failure detectors sample enough heartbeat intervals that the prior (5 s) no longer dominates:
    /// waits until every node has heartbeated 300 more times (some 6 s) as every other node sees it.
    /// </summary>
    public async Task WarmUpAsync(IReadOnlyList<LabNode> nodes)
    {
        var start = (await nodes[0].TryGetStateAsync())!.NodeStates.ToDictionary(s => s.Id.NodeId, s => s.Heartbeat);
        await UntilAllAsync(
            nodes,
            (_, v) => nodes.All(n => v.NodeStates.FirstOrDefault(s => s.Id.NodeId == n.NodeId)?.Heartbeat > start.GetValueOrDefault(n.NodeId) + 300),
            TimeSpan.FromSeconds(60),
            "every node heartbeated 300 more times (failure detectors warmed up)");
    }

    /// <summary>Writes a measured figure to the test output and to netns-figures.tsv next to the test assembly.</summary>
    public void Figure(string name, TimeSpan value) => Figure(name, $"{value.TotalSeconds:0.00} s");

    public void Figure(string name, string value)
    {
        output.WriteLine($"FIGURE {scenario} | {name} | {value}");
        lock (s_figuresLock)
        {
            File.AppendAllText(
                Path.Combine(AppContext.BaseDirectory, "netns-figures.tsv"),
                $"{DateTime.UtcNow:O}\t{scenario}\t{name}\t{value}\n");
        }
    }
}

/// <summary>Shorthands on a node's view.</summary>
internal static class ViewExtensions
{
    public static bool SeesLive(this NodeView view, string nodeId) => view.LiveNodes.Any(id => id.NodeId == nodeId);

    public static bool SeesLive(this NodeView view, IEnumerable<LabNode> nodes) => nodes.All(node => view.SeesLive(node.NodeId));

    /// <summary>Whether <paramref name="nodeId"/> is listed as dead, or not listed at all any more.</summary>
    public static bool SeesNotLive(this NodeView view, string nodeId) => !view.SeesLive(nodeId);

    /// <summary>Whether the node's state of <paramref name="nodeId"/> (any generation) is still kept.</summary>
    public static bool Knows(this NodeView view, string nodeId) => view.NodeStates.Any(state => state.Id.NodeId == nodeId);

    public static bool HasValue(this NodeView view, string nodeId, string key, string value) => view.ValueOf(nodeId, key) == value;
}
