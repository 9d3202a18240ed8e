using System.Diagnostics;
using System.Net;
using Xunit.Abstractions;

namespace Chitchat.IntegrationTests.Cli;

/// <summary>
/// A cluster of <c>chitchat node</c> processes over the HTTP API: a key spreads, a node killed with SIGKILL is
/// declared dead by the others, and the node restarted with a higher generation rejoins.
/// </summary>
public sealed class NodeLifecycleProcessTests(ITestOutputHelper output)
{
    private const int NodeCount = 3;
    private const int IntervalMs = 50;
    private static readonly TimeSpan s_timeout = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task SetKv_OnOneNode_ReachesTheOthersAndSoDoesItsDeletion()
    {
        await using var cluster = await StartConvergedAsync();

        (await cluster[2].GetAsync("/set_kv/?key=color&value=blue")).Status.Should().Be(HttpStatusCode.OK);
        foreach (var node in cluster.Nodes.Take(2))
        {
            await cluster.WaitForAsync(node, view => view.ValueOf("node_2", "color") == "blue", s_timeout, "node_2's color=blue arrived");
        }

        (await cluster[2].GetAsync("/mark_for_deletion/?key=color")).Status.Should().Be(HttpStatusCode.OK);
        foreach (var node in cluster.Nodes.Take(2))
        {
            var view = await cluster.WaitForAsync(
                node,
                view => view.NodeStates.Single(state => state.Id.NodeId == "node_2").KeyValues.GetValueOrDefault("color")?.Status == "Delete",
                s_timeout,
                "node_2's color tombstone arrived");
            view.ValueOf("node_2", "color").Should().BeNull();
        }
    }

    [Fact]
    public async Task KilledNode_Sigkill_IsDeclaredDeadByEveryOtherNode()
    {
        await using var cluster = await StartConvergedAsync();
        var victim = cluster[2];

        var stopwatch = Stopwatch.StartNew();
        victim.Process.Kill();
        foreach (var node in cluster.Nodes.Take(2))
        {
            await cluster.WaitForAsync(
                node,
                view => view.DeadNodes.Any(id => id.NodeId == "node_2") && view.LiveNodes.All(id => id.NodeId != "node_2"),
                s_timeout,
                "node_2 is dead");
            output.WriteLine($"{node.NodeId} declared node_2 dead {stopwatch.Elapsed.TotalSeconds:0.00} s after SIGKILL");
        }
    }

    [Fact]
    public async Task RestartedNode_HigherGeneration_RejoinsAsANewLiveMember()
    {
        await using var cluster = await StartConvergedAsync();
        var oldGeneration = cluster[2].Generation;
        cluster[2].Process.Kill();
        await cluster.WaitForAsync(cluster[0], view => view.DeadNodes.Any(id => id.NodeId == "node_2"), s_timeout, "node_2 is dead");

        var newGeneration = oldGeneration + 1;
        var stopwatch = Stopwatch.StartNew();
        var restarted = await cluster.RestartAsync(2, newGeneration, ["--seed", cluster[0].Address, "--interval_ms", IntervalMs.ToString()]);
        foreach (var node in cluster.Nodes)
        {
            var view = await cluster.WaitForAsync(
                node,
                view => view.LiveNodes.Count == NodeCount && view.LiveNodes.Any(id => id.NodeId == "node_2" && id.GenerationId == newGeneration),
                s_timeout,
                $"node_2 generation {newGeneration} is live");
            view.LiveNodes.Should().NotContain(id => id.NodeId == "node_2" && id.GenerationId == oldGeneration);
            output.WriteLine($"{node.NodeId} sees the restarted node_2 live {stopwatch.Elapsed.TotalSeconds:0.00} s after the restart");
        }

        restarted.Generation.Should().Be(newGeneration);
    }

    private async Task<NodeProcessCluster> StartConvergedAsync()
    {
        var cluster = await NodeProcessCluster.StartAsync(NodeCount, "127.0.0.1", output, seedIntervalMs: IntervalMs, intervalMs: IntervalMs);
        try
        {
            foreach (var node in cluster.Nodes)
            {
                await cluster.WaitForAsync(node, view => view.LiveNodes.Count == NodeCount, s_timeout, $"{NodeCount} live nodes");
            }

            return cluster;
        }
        catch
        {
            await cluster.DisposeAsync();
            throw;
        }
    }
}
