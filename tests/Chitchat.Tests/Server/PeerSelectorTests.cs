using System.Net;
using Chitchat.Server;

namespace Chitchat.Tests.Server;

/// <summary>Port of chitchat server.rs target-selection tests, plus edge cases of docs/DESIGN.md.</summary>
public sealed class PeerSelectorTests
{
    private static IPEndPoint Addr(int port) => ChitchatId.ForLocalTest(port).GossipAdvertiseAddr;

    private static HashSet<IPEndPoint> Set(params int[] ports) => [.. ports.Select(Addr)];

    // TJ7 test_select_nodes_for_gossip
    [Fact]
    public void SelectNodesForGossip_SeedAmongLiveTargets_PicksDeadNodeButNoSeed()
    {
        var targets = new List<IPEndPoint>();

        var (deadNode, seedNode) = PeerSelector.SelectNodesForGossip(
            new ZeroRandom(), Set(10_001, 10_002, 10_003), Set(10_001, 10_002), Set(10_003), Set(10_002), targets);

        targets.Should().HaveCount(2).And.BeEquivalentTo([Addr(10_001), Addr(10_002)]);
        deadNode.Should().Be(Addr(10_003));
        seedNode.Should().BeNull("a seed is already among the targets and the live count 2 is not below the seed count 1");
    }

    // TJ8 test_gossip_no_dead_node_no_seed_nodes
    [Fact]
    public void SelectNodesForGossip_FiveLiveNoDeadNoSeed_PicksThreeTargetsOnly()
    {
        var nodes = Set(10_001, 10_002, 10_003, 10_004, 10_005);
        var targets = new List<IPEndPoint>();

        var (deadNode, seedNode) = PeerSelector.SelectNodesForGossip(new ZeroRandom(), nodes, nodes, [], [], targets);

        targets.Should().HaveCount(3).And.OnlyHaveUniqueItems().And.BeSubsetOf(nodes);
        deadNode.Should().BeNull();
        seedNode.Should().BeNull();
    }

    // TJ9 test_gossip_dead_and_seed_node
    [Fact]
    public void SelectNodesForGossip_OneLiveFourDeadTwoSeeds_PicksLiveDeadAndSeed()
    {
        var targets = new List<IPEndPoint>();
        var seeds = Set(10_004, 10_005);

        var (deadNode, seedNode) = PeerSelector.SelectNodesForGossip(
            new ZeroRandom(),
            Set(10_001, 10_002, 10_003, 10_004, 10_005),
            Set(10_001),
            Set(10_002, 10_003, 10_004, 10_005),
            seeds,
            targets);

        targets.Should().Equal(Addr(10_001));
        deadNode.Should().NotBeNull("p = 4 / (1 + 1) > U");
        Set(10_002, 10_003, 10_004, 10_005).Should().Contain(deadNode!);
        seedNode.Should().NotBeNull("no seed among the targets and U <= 2 / 5");
        seeds.Should().Contain(seedNode!);
    }

    [Fact]
    public void SelectNodesForGossip_NothingLive_PicksFromAllPeersAndAlwaysASeed()
    {
        var targets = new List<IPEndPoint>();

        // U = 0.99: no probabilistic branch would fire, but with no live node a seed is always added.
        var (deadNode, seedNode) = PeerSelector.SelectNodesForGossip(
            new FixedRandom(0.99), Set(1, 2), [], Set(2), Set(3), targets);

        targets.Should().BeEquivalentTo([Addr(1), Addr(2)]);
        deadNode.Should().Be(Addr(2), "p = 1 / (0 + 1) = 1 is above U = 0.99");
        seedNode.Should().Be(Addr(3));
    }

    [Fact]
    public void SelectNodesForGossip_EmptyCluster_PicksNothing()
    {
        var targets = new List<IPEndPoint> { Addr(9) };

        var (deadNode, seedNode) = PeerSelector.SelectNodesForGossip(new ZeroRandom(), [], [], [], [], targets);

        targets.Should().BeEmpty();
        deadNode.Should().BeNull();
        seedNode.Should().BeNull();
    }

    [Fact]
    public void SelectNodesForGossip_HighDraw_SkipsDeadAndSeedWhenLive()
    {
        var targets = new List<IPEndPoint>();

        // One live, one dead: p(dead) = 1/2 < U; p(seed) = 1/2 < U.
        var (deadNode, seedNode) = PeerSelector.SelectNodesForGossip(
            new FixedRandom(0.9), Set(1, 2), Set(1), Set(2), Set(3), targets);

        targets.Should().Equal(Addr(1));
        deadNode.Should().BeNull();
        seedNode.Should().BeNull();
    }

    [Fact]
    public void SelectNodesForGossip_ManyRounds_SamplesEveryLiveNodeUniformly()
    {
        var live = Set(1, 2, 3, 4, 5, 6);
        var counts = live.ToDictionary(addr => addr, _ => 0);
        var random = new Random(42);
        var targets = new List<IPEndPoint>();
        for (var round = 0; round < 6_000; round++)
        {
            PeerSelector.SelectNodesForGossip(random, live, live, [], [], targets);
            targets.Should().HaveCount(3).And.OnlyHaveUniqueItems();
            foreach (var target in targets)
            {
                counts[target]++;
            }
        }

        // Each node is expected 3,000 times.
        counts.Values.Should().AllSatisfy(count => count.Should().BeInRange(2_700, 3_300));
    }

    private sealed class FixedRandom(double value) : Random
    {
        public override int Next(int maxValue) => 0;

        public override int Next(int minValue, int maxValue) => minValue;

        public override double NextDouble() => value;

        protected override double Sample() => value;
    }
}
