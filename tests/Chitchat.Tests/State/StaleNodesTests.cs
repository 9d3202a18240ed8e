using Chitchat.State;
using static Chitchat.Tests.State.StateTestHelpers;

namespace Chitchat.Tests.State;

/// <summary>Stale-node selection and priority.</summary>
public sealed class StaleNodesTests
{
    [Fact]
    public void CollectStaleKeyValues_ReturnsEntriesAboveFloorInVersionOrder() // TF1
    {
        var empty = NewNodeState(10_001);
        var buffer = new List<KeyValuePair<string, VersionedValue>>();
        empty.CollectStaleKeyValues(0, buffer);
        buffer.Should().BeEmpty();

        var state = NewNodeState(10_001);
        state.SetVersionedValue("key_a", new VersionedValue(string.Empty, 3, DeletionStatus.Set));
        state.SetVersionedValue("key_b", new VersionedValue(string.Empty, 2, DeletionStatus.Set));
        state.SetVersionedValue("key_c", new VersionedValue(string.Empty, 1, DeletionStatus.Set));
        state.CollectStaleKeyValues(1, buffer);
        buffer.Select(kv => (kv.Key, kv.Value.Version)).Should().Equal(("key_b", 2UL), ("key_a", 3UL));
    }

    [Fact]
    public void ToPriorityOrder_Empty_YieldsNothing() // TF2
    {
        new StaleNodes().ToPriorityOrder(new Random(1)).Should().BeEmpty();
    }

    [Fact]
    public void Offer_UnknownNodes_ScoredByMaxVersion() // TF3
    {
        var staleNodes = new StaleNodes();
        var forced = NewNodeState(10_001);
        forced.SetMaxVersion(2);
        staleNodes.Offer(forced, 0).Should().BeTrue();
        StaleNodes.TryScore(forced, 0, out var forcedScore).Should().BeTrue();
        forcedScore.Should().Be(new Staleness(true, 2, 0));

        var oneKey = NewNodeState(10_002).WithVersions(1);
        staleNodes.Offer(oneKey, 0).Should().BeTrue();
        StaleNodes.TryScore(oneKey, 0, out var oneKeyScore).Should().BeTrue();
        oneKeyScore.Should().Be(new Staleness(true, 1, 1));

        var twoKeys = NewNodeState(10_003).WithVersions(2, 3);
        staleNodes.Offer(twoKeys, 0).Should().BeTrue();
        StaleNodes.TryScore(twoKeys, 0, out var twoKeysScore).Should().BeTrue();
        twoKeysScore.Should().Be(new Staleness(true, 3, 2));

        // Unknown nodes with a smaller max version come first.
        staleNodes.ToPriorityOrder(new Random(1)).Select(n => n.NodeState.ChitchatId.GossipAdvertiseAddr.Port)
            .Should().Equal(10_002, 10_001, 10_003);
    }

    [Fact]
    public void Offer_NodesWithNothingNewer_AreNotStale() // TF4
    {
        var staleNodes = new StaleNodes();
        staleNodes.Offer(NewNodeState(10_001), 1).Should().BeFalse();
        staleNodes.Offer(NewNodeState(10_002).WithVersions(1), 1).Should().BeFalse();
        staleNodes.Count.Should().Be(0);

        var state = NewNodeState(10_002).WithVersions(1, 2, 3);
        staleNodes.Offer(state, 1).Should().BeTrue();
        staleNodes.Count.Should().Be(1);
        StaleNodes.TryScore(state, 1, out var score).Should().BeTrue();
        score.Should().Be(new Staleness(false, 3, 2));
    }

    [Fact]
    public void ToPriorityOrder_UnknownFirstThenMostStale() // TF5
    {
        var staleNodes = new StaleNodes();
        staleNodes.Offer(NewNodeState(10_001).WithVersions(1, 2, 3), 1);
        staleNodes.Offer(NewNodeState(10_002).WithVersions(1, 2, 5), 2);
        staleNodes.Offer(NewNodeState(10_003).WithVersions(1, 2, 3), 7);
        staleNodes.Offer(NewNodeState(10_004).WithVersions(1, 2, 5, 7), 1);
        staleNodes.Offer(NewNodeState(10_005), 0);
        staleNodes.Offer(NewNodeState(10_006).WithVersions(1), 0);

        staleNodes.ToPriorityOrder(new Random(9)).Select(n => n.NodeState.ChitchatId.GossipAdvertiseAddr.Port)
            .Should().Equal(10_006, 10_004, 10_001, 10_002);
    }

    [Fact]
    public void ToPriorityOrder_TiesAreShuffled()
    {
        // Three known nodes with the same number of stale entries: every order shows up over many seeds.
        var orders = new HashSet<string>();
        for (var seed = 0; seed < 200; seed++)
        {
            var staleNodes = new StaleNodes();
            staleNodes.Offer(NewNodeState(1).WithVersions(1, 2), 1);
            staleNodes.Offer(NewNodeState(2).WithVersions(1, 2), 1);
            staleNodes.Offer(NewNodeState(3).WithVersions(1, 2), 1);
            orders.Add(string.Join(",", staleNodes.ToPriorityOrder(new Random(seed)).Select(n => n.NodeState.ChitchatId.GossipAdvertiseAddr.Port)));
        }

        orders.Should().HaveCount(6);
    }
}
