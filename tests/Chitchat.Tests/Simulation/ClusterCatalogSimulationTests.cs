using Chitchat.Testing.Simulation;

namespace Chitchat.Tests.Simulation;

/// <summary>
/// The cluster simulations of chitchat's <c>tests/cluster_test.rs</c> (TL1–TL4, TL6–TL8), on the simulation kit in
/// virtual time: gossip every 100 ms, a 1 s deletion grace period, the failure detector's initial interval at ten
/// gossip intervals and a one-hour dead-node grace period; waits poll every 100 ms.
/// </summary>
public sealed class ClusterCatalogSimulationTests
{
    private static readonly TimeSpan Gossip = TimeSpan.FromMilliseconds(100);
    private static readonly TimeSpan Poll = TimeSpan.FromMilliseconds(100);

    [Fact]
    public void TL1_Insert_ReachesThePeer_WithoutCatchup()
    {
        var catchups = new List<ChitchatId>();
        var simulation = Create(seed: 1, seedCount: 1, catchups: catchups);
        var (node1, node2) = (simulation.AddNode(), simulation.AddNode());
        node1.Chitchat.Set("key_a", "0");
        node2.Chitchat.Set("key_b", "1");

        simulation.RunUntil(() => Value(node2, node1, "key_a") == "0", TimeSpan.FromMilliseconds(200), Poll).Should().BeTrue();
        Value(node1, node2, "key_b").Should().Be("1");
        simulation.RunFor(TimeSpan.FromSeconds(1));
        catchups.Should().BeEmpty();
    }

    [Fact]
    public void TL2_DeleteAfterTtl_StaysVisibleForTheGracePeriod_ThenDisappears()
    {
        var simulation = Create(seed: 2, seedCount: 1);
        var (node1, node2) = (simulation.AddNode(), simulation.AddNode());
        node1.Chitchat.Set("key_a", "0");
        simulation.RunUntil(() => Value(node2, node1, "key_a") == "0", TimeSpan.FromMilliseconds(200), Poll).Should().BeTrue();
        Value(node1, node1, "key_a").Should().Be("0");

        node1.Chitchat.DeleteAfterTtl("key_a");
        simulation.RunFor(TimeSpan.FromMilliseconds(300));
        Value(node1, node1, "key_a").Should().Be("0");
        Value(node2, node1, "key_a").Should().Be("0");

        simulation.RunFor(TimeSpan.FromSeconds(3));
        Entry(node1, node1, "key_a").Should().BeNull();
        Entry(node2, node1, "key_a").Should().BeNull();
    }

    [Fact]
    public void TL3_Partition_StopsUpdates()
    {
        var simulation = Create(seed: 3, seedCount: 1);
        var (node1, node2) = (simulation.AddNode(), simulation.AddNode());
        node1.Chitchat.Set("key_a", "0");
        simulation.RunUntil(() => Value(node2, node1, "key_a") == "0", TimeSpan.FromMilliseconds(500), Poll).Should().BeTrue();

        Cut(simulation, node1, node2);
        node2.Chitchat.Set("key_b", "1");
        for (var i = 0; i < 5; i++)
        {
            simulation.RunFor(Poll);
            Entry(node1, node2, "key_b").Should().BeNull();
        }
    }

    [Fact]
    public void TL4_TombstoneCollectedDuringAPartition_ResetsThePeerAfterTheHeal()
    {
        var simulation = Create(seed: 4, seedCount: 2);
        var (node1, node2) = (simulation.AddNode(), simulation.AddNode());
        node1.Chitchat.Set("key_a", "0");
        simulation.RunUntil(() => Value(node2, node1, "key_a") == "0", TimeSpan.FromMilliseconds(500), Poll).Should().BeTrue();

        Cut(simulation, node1, node2);
        simulation.RunFor(TimeSpan.FromSeconds(5));
        node1.Chitchat.Delete("key_a");
        Entry(node2, node1, "key_a")!.IsDeleted.Should().BeFalse();
        simulation.RunFor(TimeSpan.FromSeconds(2));
        Entry(node1, node1, "key_a").Should().BeNull("the tombstone is collected after the grace period");
        simulation.RunFor(TimeSpan.FromMilliseconds(500));
        Entry(node2, node1, "key_a").Should().NotBeNull();

        Restore(simulation, node1, node2);
        simulation.RunUntil(() => Entry(node2, node1, "key_a") is null, TimeSpan.FromMilliseconds(500), Poll).Should().BeTrue();
    }

    [Fact]
    public void TL6_HeavyInsertAndDelete_ReachEveryObserver()
    {
        var simulation = Create(seed: 6, seedCount: 3, grace: TimeSpan.FromSeconds(5));
        var nodes = simulation.AddNodes(20);
        var random = new Random(6);
        foreach (var node in nodes)
        {
            for (var k = 0; k < 200; k++)
            {
                node.Chitchat.Set($"key_{k}", ((ulong)random.NextInt64()).ToString(System.Globalization.CultureInfo.InvariantCulture));
            }
        }

        simulation.RunFor(TimeSpan.FromSeconds(10));
        foreach (var node in nodes)
        {
            for (var k = 0; k < 200; k++)
            {
                Entry(nodes[random.Next(nodes.Count)], node, $"key_{k}").Should().NotBeNull();
            }
        }

        foreach (var node in nodes)
        {
            for (var k = 0; k < 200; k++)
            {
                node.Chitchat.Delete($"key_{k}");
            }
        }

        simulation.RunFor(TimeSpan.FromSeconds(10));
        foreach (var node in nodes)
        {
            for (var k = 0; k < 200; k++)
            {
                Entry(nodes[random.Next(nodes.Count)], node, $"key_{k}").Should().BeNull();
            }
        }
    }

    [Fact]
    public void TL7_CollectedNode_IsNotRecreatedByStaleGossip_OnlyByANewHeartbeat()
    {
        var simulation = Create(seed: 7, seedCount: 1, deadNodeGrace: TimeSpan.FromSeconds(4));
        var (node1, node2) = (simulation.AddNode(), simulation.AddNode());
        simulation.RunUntil(() => IsLive(node1, node2), TimeSpan.FromMilliseconds(500), Poll).Should().BeTrue();
        node2.Chitchat.Set("key_a", "0");
        simulation.RunUntil(() => Value(node1, node2, "key_a") == "0", TimeSpan.FromMilliseconds(500), Poll).Should().BeTrue();

        Cut(simulation, node1, node2);
        simulation.RunUntil(() => IsDead(node1, node2), TimeSpan.FromSeconds(5), Poll).Should().BeTrue();
        for (var k = 3; k <= 9; k++)
        {
            simulation.RunFor(TimeSpan.FromSeconds(1));
            Cut(simulation, node2, simulation.AddNode());
        }

        // Forgotten, and not brought back by the late joiners, which still gossip its old heartbeat.
        node1.Chitchat.TryGetNodeState(node2.Id, out _).Should().BeFalse();
        IsLive(node1, node2).Should().BeFalse();
        IsDead(node1, node2).Should().BeFalse();

        Restore(simulation, node1, node2);
        simulation.RunUntil(() => IsLive(node1, node2), TimeSpan.FromMilliseconds(500), Poll).Should().BeTrue();
    }

    [Fact]
    public void TL8_ResetAfterAPartition_RunsTheCatchupCallback()
    {
        var catchups = new List<ChitchatId>();
        var simulation = Create(seed: 8, seedCount: 1, catchups: catchups);
        var (node1, node2) = (simulation.AddNode(), simulation.AddNode());
        simulation.RunUntil(() => IsLive(node1, node2), TimeSpan.FromMilliseconds(500), Poll).Should().BeTrue();

        node1.Chitchat.Set("key_a", "0");
        Cut(simulation, node1, node2);
        node1.Chitchat.Delete("key_a");
        simulation.RunFor(TimeSpan.FromSeconds(3));
        Restore(simulation, node1, node2);
        simulation.RunFor(TimeSpan.FromMilliseconds(500));
        catchups.Should().NotBeEmpty();
        catchups[0].Should().Be(node2.Id);
    }

    private static ClusterSimulation Create(int seed, int seedCount, List<ChitchatId>? catchups = null, TimeSpan? grace = null, TimeSpan? deadNodeGrace = null)
    {
        ClusterSimulation? simulation = null;
        var index = 0;
        simulation = new ClusterSimulation(new ClusterSimulationOptions
        {
            Seed = seed,
            SeedCount = seedCount,
            GossipInterval = Gossip,
            ConfigureNode = config =>
            {
                config.MarkedForDeletionGracePeriod = grace ?? TimeSpan.FromSeconds(1);
                config.FailureDetectorConfig.InitialInterval = Gossip * 10;
                config.FailureDetectorConfig.DeadNodeGracePeriod = deadNodeGrace ?? TimeSpan.FromHours(1);
                if (catchups is not null)
                {
                    // The node this configuration is for: nodes are added in order.
                    var self = index++;
                    config.CatchupCallback = () => catchups.Add(simulation!.Nodes[self].Id);
                }
            },
        });
        return simulation;
    }

    private static void Cut(ClusterSimulation simulation, SimulatedNode a, SimulatedNode b)
    {
        simulation.Network.Block(a, b);
        simulation.Network.Block(b, a);
    }

    private static void Restore(ClusterSimulation simulation, SimulatedNode a, SimulatedNode b)
    {
        simulation.Network.Unblock(a, b);
        simulation.Network.Unblock(b, a);
    }

    private static VersionedValue? Entry(SimulatedNode observer, SimulatedNode subject, string key) =>
        observer.Chitchat.TryGetNodeState(subject.Id, out var state) && state.TryGetVersionedValue(key, out var entry) ? entry : null;

    private static string? Value(SimulatedNode observer, SimulatedNode subject, string key) =>
        Entry(observer, subject, key) is { IsDeleted: false } entry ? entry.Value : null;

    private static bool IsLive(SimulatedNode observer, SimulatedNode subject) =>
        observer.Chitchat.LiveMembers.Current.Contains(subject.Id) && observer.Chitchat.TryGetNodeState(subject.Id, out _);

    private static bool IsDead(SimulatedNode observer, SimulatedNode subject) =>
        observer.Instance.DeadNodes.Contains(subject.Id) && observer.Chitchat.TryGetNodeState(subject.Id, out _);
}
