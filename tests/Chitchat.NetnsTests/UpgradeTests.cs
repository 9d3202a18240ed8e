using System.Diagnostics;
using System.Globalization;
using Xunit.Abstractions;

namespace Chitchat.NetnsTests;

/// <summary>Changing the protocol of a running cluster, one host at a time.</summary>
public sealed class UpgradeTests(ITestOutputHelper output)
{
    private static readonly TimeSpan s_timeout = TimeSpan.FromSeconds(60);

    [NetnsFact]
    public async Task RollingUpgradeFromV0ToV1_NodesRestartedOneByOne_ClusterStaysConvergedWithoutFalseDeaths()
    {
        const int Hosts = 4;
        var watch = new ClusterWatch(output, "rolling upgrade V0 to V1 on 4 hosts");
        await using var lab = await NetnsLab.CreateAsync(Hosts, output);
        var generation = (ulong)DateTimeOffset.UtcNow.ToUnixTimeSeconds();
        string[] common = ["--interval_ms", "100", "--dead_node_grace_ms", "5000", "--seed", NetnsLab.EndpointOf(0), "--seed", NetnsLab.EndpointOf(1)];
        var nodes = await lab.StartNodesAsync(Enumerable.Range(0, Hosts), generation, _ => [.. common, "--protocol_version", "0"]);
        await watch.UntilAllAsync(nodes, (_, v) => v.SeesLive(nodes), s_timeout, "all 4 (V0) live everywhere");
        await watch.WarmUpAsync(nodes);

        // The new incarnation's value (the old incarnation stays listed until it is forgotten).
        bool HasNewValue(NodeView view, string nodeId, string key, string value) =>
            view.NodeStates.Any(state => state.Id.NodeId == nodeId && state.Id.GenerationId == generation + 1
                && state.KeyValues.GetValueOrDefault(key) is { Status: "Set" } set && set.Value == value);

        var falseDeaths = 0;
        var slowest = TimeSpan.Zero;
        var slowestStop = TimeSpan.Zero;
        var slowestStart = TimeSpan.Zero;
        for (var host = 0; host < Hosts; host++)
        {
            // Stop (SIGTERM) and start again with a new generation and protocol V1; the others keep running.
            var old = nodes[host];
            var others = nodes.Where(n => n.Host != host).ToArray();
            var restart = Stopwatch.StartNew();
            await old.Process.TerminateAsync();
            await old.Process.WaitForExitAsync(TimeSpan.FromSeconds(30));
            slowestStop = restart.Elapsed > slowestStop ? restart.Elapsed : slowestStop;
            var start = Stopwatch.StartNew();
            var upgraded = await lab.StartNodeAsync(host, old.NodeId, generation + 1, [.. common, "--protocol_version", "1"]);
            slowestStart = start.Elapsed > slowestStart ? start.Elapsed : slowestStart;
            await upgraded.SetAsync("upgraded", "v1");
            nodes[host] = upgraded;
            var elapsed = await watch.UntilAllAsync(
                nodes,
                (node, v) =>
                {
                    // Only the views of the nodes that kept running: the restarted node is still joining, and not yet
                    // seeing its peers live is not a death it declared.
                    if (node.Host != host && !v.SeesLive(others))
                    {
                        Interlocked.Increment(ref falseDeaths);
                    }

                    return v.LiveNodes.Any(id => id.NodeId == upgraded.NodeId && id.GenerationId == generation + 1)
                        && v.SeesLive(nodes)
                        && HasNewValue(v, upgraded.NodeId, "upgraded", "v1");
                },
                s_timeout,
                $"{upgraded.NodeId} back as V1 (generation {generation + 1}) live everywhere with its new key",
                restart);
            slowest = elapsed > slowest ? elapsed : slowest;
        }

        watch.Figure("SIGTERM to process exited, slowest of 4 restarts", slowestStop);
        watch.Figure("process start to HTTP API answering, slowest of 4 restarts", slowestStart);
        watch.Figure("SIGTERM to restarted node live everywhere with its key, slowest of 4 restarts", slowest);

        // All on V1: a write still reaches everybody, and every old incarnation is forgotten after the grace period.
        var write = Stopwatch.StartNew();
        await nodes[2].SetAsync("after", "all-v1");
        watch.Figure("write to everywhere, all nodes on V1", await watch.UntilAllAsync(
            nodes, (_, v) => HasNewValue(v, nodes[2].NodeId, "after", "all-v1"), s_timeout, "the write of node_2 everywhere", write));
        await watch.UntilAllAsync(
            nodes,
            (_, v) => v.SeesLive(nodes) && v.NodeStates.All(s => s.Id.GenerationId == generation + 1),
            s_timeout,
            "only the V1 incarnations are known (the V0 ones forgotten)");
        watch.Figure("false deaths of running nodes seen in polls during the upgrade", falseDeaths.ToString(CultureInfo.InvariantCulture));
        falseDeaths.Should().Be(0, "a node that keeps running is never declared dead while another restarts");
    }
}
