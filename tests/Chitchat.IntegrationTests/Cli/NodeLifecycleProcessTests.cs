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

    // Generous: a just-started node's failure detector still leans on its 5 s prior interval (see WarmUpAsync).
    private static readonly TimeSpan s_deathTimeout = TimeSpan.FromSeconds(45);

    // Heartbeats of the victim to observe before the kill (about 2 to 3 s at this gossip interval).
    private const ulong WarmUpHeartbeats = 100;

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
        await WarmUpAsync(cluster);

        var stopwatch = Stopwatch.StartNew();
        victim.Process.Kill();
        foreach (var node in cluster.Nodes.Take(2))
        {
            await cluster.WaitForAsync(
                node,
                view => view.DeadNodes.Any(id => id.NodeId == "node_2") && view.LiveNodes.All(id => id.NodeId != "node_2"),
                s_deathTimeout,
                "node_2 is dead");
            output.WriteLine($"{node.NodeId} declared node_2 dead {stopwatch.Elapsed.TotalSeconds:0.00} s after SIGKILL");
        }
    }

    [Fact]
    public async Task RestartedNode_HigherGeneration_RejoinsAsANewLiveMember()
    {
        await using var cluster = await StartConvergedAsync();
        var oldGeneration = cluster[2].Generation;
        await WarmUpAsync(cluster);
        cluster[2].Process.Kill();
        await cluster.WaitForAsync(cluster[0], view => view.DeadNodes.Any(id => id.NodeId == "node_2"), s_deathTimeout, "node_2 is dead");

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

    /// <summary>
    /// Lets the survivors' failure detectors learn node_2's heartbeat rate before it is killed. The detector's mean
    /// interval starts from a 5 s prior (weight 5, chitchat-test's defaults), so right after start-up phi grows
    /// slowly and a death takes tens of seconds to be declared; after ~100 observed heartbeats it takes a few.
    /// </summary>
    private static async Task WarmUpAsync(NodeProcessCluster cluster)
    {
        foreach (var node in cluster.Nodes.Take(2))
        {
            await cluster.WaitForAsync(
                node,
                view => view.NodeStates.FirstOrDefault(state => state.Id.NodeId == "node_2")?.Heartbeat >= WarmUpHeartbeats,
                s_timeout,
                $"node_2's heartbeat reached {WarmUpHeartbeats}");
        }
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
