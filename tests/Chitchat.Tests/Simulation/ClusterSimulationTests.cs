using Chitchat.Testing.Simulation;

namespace Chitchat.Tests.Simulation;

/// <summary>The simulation kit drives real nodes in virtual time: determinism, convergence, detection, partitions.</summary>
public sealed class ClusterSimulationTests
{
    private static readonly TimeSpan Interval = TimeSpan.FromSeconds(1);

    [Fact]
    public void SameSeed_SameTraceHash_DifferentSeed_DifferentHash()
    {
        static ulong Run(int seed, int parallelism = 1)
        {
            var simulation = new ClusterSimulation(new ClusterSimulationOptions { Seed = seed, MaxDegreeOfParallelism = parallelism });
            simulation.Network.DefaultLink = new LinkConditions { Loss = 0.1, Jitter = TimeSpan.FromMilliseconds(20), Duplication = 0.05 };
            simulation.AddNodes(20);
            simulation.RunFor(TimeSpan.FromSeconds(20));
            simulation.Nodes[5].Crash();
            simulation.RunFor(TimeSpan.FromSeconds(10));
            return simulation.TraceHash;
        }

        var first = Run(7);
        Run(7).Should().Be(first);
        Run(8).Should().NotBe(first);

        // Nodes run in parallel within a window of the shortest link delay: the run does not change.
        Run(7, parallelism: 4).Should().Be(first);
    }

    [Fact]
    public void FiftyNodes_NoLoss_ConvergeWithinTwiceTheLog4Bound_WithoutFalseDeaths()
    {
        const int nodeCount = 50;
        var simulation = new ClusterSimulation(new ClusterSimulationOptions { Seed = 1, GossipInterval = Interval });
        simulation.AddNodes(nodeCount);

        // Rounds are counted from the first round of the last node to start (the nodes start within one interval).
        simulation.RunUntil(simulation.IsConverged, TimeSpan.FromSeconds(30)).Should().BeTrue();
        var lastStart = simulation.Nodes.Max(node => node.FirstRoundAt!.Value);
        var rounds = (simulation.Elapsed - lastStart) / Interval;
        rounds.Should().BeLessThanOrEqualTo(2 * Math.Log(nodeCount, 4));
        simulation.AssertConverged();

        simulation.RunFor(TimeSpan.FromSeconds(30));
        simulation.AssertConverged();
        simulation.AssertNoFalseDeaths();
        simulation.FalseDeathCount.Should().Be(0);
    }

    [Fact]
    public void CrashedNode_IsDetectedByAll_AndTheRestStayConverged()
    {
        var simulation = new ClusterSimulation(new ClusterSimulationOptions { Seed = 2 });
        var nodes = simulation.AddNodes(30);
        simulation.RunUntil(simulation.IsConverged, TimeSpan.FromSeconds(30)).Should().BeTrue();

        var crashed = nodes[17];
        crashed.Crash();
        simulation.IsSeenDeadByAll(crashed.Id).Should().BeFalse();
        simulation.RunUntil(() => simulation.IsSeenDeadByAll(crashed.Id), TimeSpan.FromSeconds(60)).Should().BeTrue();
        simulation.AssertSeenDeadByAll(crashed);
        simulation.IsConverged().Should().BeTrue();
        simulation.AssertNoFalseDeaths();
    }

    [Fact]
    public void RestartedNode_RejoinsWithANewGeneration()
    {
        var simulation = new ClusterSimulation(new ClusterSimulationOptions { Seed = 3 });
        var nodes = simulation.AddNodes(12);
        simulation.RunUntil(simulation.IsConverged, TimeSpan.FromSeconds(30)).Should().BeTrue();

        var node = nodes[4];
        var before = node.Id;
        node.Restart();
        node.Id.GenerationId.Should().Be(before.GenerationId + 1);
        node.Chitchat.Set("after-restart", "yes");

        simulation.RunUntil(simulation.IsConverged, TimeSpan.FromSeconds(60)).Should().BeTrue();
        simulation.IsSeenDeadByAll(before).Should().BeTrue();
        nodes[0].Chitchat.TryGetNodeState(node.Id, out var replica).Should().BeTrue();
        replica!.TryGetValue("after-restart", out var value).Should().BeTrue();
        value.Should().Be("yes");
    }

    [Fact]
    public void Partition_IsDetectedOnBothSides_AndHealsIntoOneCluster()
    {
        var simulation = new ClusterSimulation(new ClusterSimulationOptions { Seed = 4, SeedCount = 2 });
        var nodes = simulation.AddNodes(20);
        simulation.RunUntil(simulation.IsConverged, TimeSpan.FromSeconds(30)).Should().BeTrue();

        // Each side keeps one seed.
        var left = nodes.Where(node => node.Index % 2 == 0).ToList();
        var right = nodes.Where(node => node.Index % 2 == 1).ToList();
        simulation.Network.Partition(left, right);
        simulation.RunUntil(() => CutOff(left, right) && CutOff(right, left), TimeSpan.FromSeconds(60)).Should().BeTrue();
        simulation.IsConverged().Should().BeFalse();

        simulation.Network.Heal();
        simulation.RunUntil(simulation.IsConverged, TimeSpan.FromSeconds(90)).Should().BeTrue();
        simulation.AssertNoFalseDeaths();
    }

    [Fact]
    public void PausedNode_IsSeenDead_ThenLiveAgainAfterResume()
    {
        var simulation = new ClusterSimulation(new ClusterSimulationOptions { Seed = 5 });
        var nodes = simulation.AddNodes(10);
        simulation.RunUntil(simulation.IsConverged, TimeSpan.FromSeconds(30)).Should().BeTrue();

        nodes[3].Pause();
        nodes[3].Status.Should().Be(SimulatedNodeStatus.Paused);
        simulation.RunUntil(() => simulation.IsSeenDeadByAll(nodes[3].Id), TimeSpan.FromSeconds(60)).Should().BeTrue();
        nodes[3].Resume();
        simulation.RunUntil(simulation.IsConverged, TimeSpan.FromSeconds(60)).Should().BeTrue();
        simulation.FalseDeathCount.Should().Be(0, "a paused node's death is not false");
    }

    [Fact]
    public void KeyValues_ReplicateEverywhere()
    {
        var simulation = new ClusterSimulation(new ClusterSimulationOptions { Seed = 6, ProtocolVersion = ProtocolVersion.V1 });
        var nodes = simulation.AddNodes(25);
        nodes[11].Chitchat.Set("role", "indexer");
        simulation.RunUntil(simulation.IsConverged, TimeSpan.FromSeconds(30)).Should().BeTrue();
        foreach (var node in nodes)
        {
            node.Chitchat.TryGetNodeState(nodes[11].Id, out var state).Should().BeTrue();
            state!.TryGetValue("role", out var role).Should().BeTrue();
            role.Should().Be("indexer");
        }
    }

    [Fact]
    public void TwoHundredNodes_Converge_WithoutFalseDeaths()
    {
        var simulation = new ClusterSimulation(new ClusterSimulationOptions { Seed = 200, ProtocolVersion = ProtocolVersion.V1 });
        simulation.AddNodes(200);
        simulation.RunUntil(simulation.IsConverged, TimeSpan.FromSeconds(30)).Should().BeTrue();
        simulation.RunFor(TimeSpan.FromSeconds(10));
        simulation.AssertConverged();
        simulation.AssertNoFalseDeaths();
    }

    [Fact]
    public void Churn_CrashesAndRestarts_SettleIntoOneCluster_WithoutFalseDeaths()
    {
        var simulation = new ClusterSimulation(new ClusterSimulationOptions { Seed = 9, SeedCount = 2 });
        var nodes = simulation.AddNodes(30);
        simulation.RunUntil(simulation.IsConverged, TimeSpan.FromSeconds(30)).Should().BeTrue();

        var random = new Random(9);
        SimulatedNode? down = null;
        for (var step = 0; step < 8; step++)
        {
            down?.Restart();
            down = nodes[2 + random.Next(nodes.Count - 2)];
            down.Crash();
            simulation.RunFor(TimeSpan.FromSeconds(5));
        }

        down!.Restart();
        simulation.RunUntil(simulation.IsConverged, TimeSpan.FromSeconds(60)).Should().BeTrue();
        simulation.AssertNoFalseDeaths();
        nodes.Should().OnlyContain(node => node.IsRunning);
    }

    [Fact]
    public void VirtualClock_TimersFireInVirtualTime()
    {
        var simulation = new ClusterSimulation();
        var fired = new List<TimeSpan>();
        using var timer = simulation.TimeProvider.CreateTimer(_ => fired.Add(simulation.Elapsed), null, TimeSpan.FromSeconds(2), TimeSpan.FromSeconds(3));
        simulation.RunFor(TimeSpan.FromSeconds(9));
        fired.Should().Equal(TimeSpan.FromSeconds(2), TimeSpan.FromSeconds(5), TimeSpan.FromSeconds(8));
        timer.Change(Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
        simulation.RunFor(TimeSpan.FromSeconds(9));
        fired.Should().HaveCount(3);
        simulation.Elapsed.Should().Be(TimeSpan.FromSeconds(18));
    }

    /// <summary>No node of <paramref name="observers"/> sees a node of <paramref name="subjects"/> live.</summary>
    private static bool CutOff(List<SimulatedNode> observers, List<SimulatedNode> subjects) =>
        observers.All(observer => subjects.All(subject => !observer.Chitchat.LiveMembers.Current.Contains(subject.Id)));
}
