using System.Threading.Channels;
using static Chitchat.IntegrationTests.ClusterSimulator;
using P = Chitchat.IntegrationTests.NodeStatePredicate;

namespace Chitchat.IntegrationTests;

/// <summary>
/// Port of chitchat tests/cluster_test.rs (TL1–TL8): scripted clusters of real server loops over the
/// in-memory transport, gossip every 100 ms. Rust's propagation bounds (200–500 ms) are widened to
/// <see cref="Propagation"/> because the suite shares a small machine; the waits that give the protocol
/// time to do something (GC, failure detection) keep Rust's values.
/// </summary>
public sealed class ClusterSimulationTests
{
    private static readonly TimeSpan Gossip = TimeSpan.FromMilliseconds(100);
    private static readonly TimeSpan Propagation = TimeSpan.FromSeconds(5);

    // TL1 test_simple_simulation_insert
    [Fact]
    public async Task Insert_TwoNodes_EachSeesTheOthersKeyAndNoCatchup()
    {
        var catchups = Channel.CreateUnbounded<ChitchatId>();
        var node1 = CreateChitchatId("node-1");
        var node2 = CreateChitchatId("node-2");
        await using (var sim = new ClusterSimulator(Gossip, TimeSpan.FromSeconds(1)) { CatchupCallbacks = catchups.Writer })
        {
            await sim.AddNodeAsync(node1);
            await sim.AddNodeAsync(node2);
            sim.InsertKeyValues(node1, ("key_a", "0"));
            sim.InsertKeyValues(node2, ("key_b", "1"));

            await sim.AssertStateAsync(node2, node1, new P.EqualKeyValue("key_a", "0"), Propagation);
            await sim.AssertStateAsync(node1, node2, new P.EqualKeyValue("key_b", "1"), Propagation);
        }

        catchups.Reader.TryRead(out _).Should().BeFalse("no replica was reset");
    }

    // TL2 test_simple_simulation_delete_after_ttl
    [Fact]
    public async Task DeleteAfterTtl_TwoNodes_StaysVisibleThenIsCollectedEverywhere()
    {
        var node1 = CreateChitchatId("node-1");
        var node2 = CreateChitchatId("node-2");
        await using var sim = new ClusterSimulator(Gossip, TimeSpan.FromSeconds(1));
        await sim.AddNodeAsync(node1);
        await sim.AddNodeAsync(node2);
        sim.InsertKeyValues(node1, ("key_a", "0"));
        await sim.AssertStateAsync(node2, node1, new P.EqualKeyValue("key_a", "0"), Propagation);
        await sim.AssertStateAsync(node1, node1, new P.EqualKeyValue("key_a", "0"));

        sim.DeleteAfterTtl(node1, "key_a");
        await Task.Delay(TimeSpan.FromMilliseconds(300));
        await sim.AssertStateAsync(node2, node1, new P.EqualKeyValue("key_a", "0"));
        await sim.AssertStateAsync(node1, node1, new P.EqualKeyValue("key_a", "0"));

        // Rust waits 3 s then checks once; the grace period is 1 s.
        await sim.AssertStateAsync(node1, node1, new P.KeyPresent("key_a", false), TimeSpan.FromSeconds(3) + Propagation);
        await sim.AssertStateAsync(node2, node1, new P.KeyPresent("key_a", false), Propagation);
    }

    // TL3 test_simple_simulation_with_network_partition
    [Fact]
    public async Task Insert_LinkCut_ChangeDoesNotCrossThePartition()
    {
        var node1 = CreateChitchatId("node-1");
        var node2 = CreateChitchatId("node-2");
        await using var sim = new ClusterSimulator(Gossip, TimeSpan.FromSeconds(1));
        await sim.AddNodeAsync(node1);
        await sim.AddNodeAsync(node2);
        sim.InsertKeyValues(node1, ("key_a", "0"));
        await sim.AssertStateAsync(node2, node1, new P.EqualKeyValue("key_a", "0"), Propagation);

        sim.RemoveLink(node1, node2);
        sim.InsertKeyValues(node2, ("key_b", "1"));

        await sim.AssertStateAsync(node1, node2, new P.KeyPresent("key_b", false), TimeSpan.FromMilliseconds(500));
        await Task.Delay(TimeSpan.FromMilliseconds(500));
        await sim.AssertStateAsync(node1, node2, new P.KeyPresent("key_b", false));
    }

    // TL4 test_marked_for_deletion_gc_with_network_partition_2_nodes
    [Fact]
    public async Task Delete_PartitionedUntilCollected_PeerResetsWhenLinkReturns()
    {
        var node1 = TestChitchatId(1);
        var node2 = TestChitchatId(2);
        await using var sim = new ClusterSimulator(Gossip, TimeSpan.FromSeconds(1));
        await sim.AddNodeAsync(node1, [node1, node2]);
        await sim.AddNodeAsync(node2, [node1, node2]);
        sim.InsertKeyValues(node1, ("key_a", "0"));
        await sim.AssertStateAsync(node2, node1, new P.KeyPresent("key_a", true), Propagation);

        sim.RemoveLink(node1, node2);
        await Task.Delay(TimeSpan.FromSeconds(5));
        sim.Delete(node1, "key_a");
        await sim.AssertStateAsync(node2, node1, new P.KeyMarkedDeleted("key_a", false));

        // Grace period 1 s + margin (then polled, in case the machine is slow).
        await Task.Delay(TimeSpan.FromSeconds(2));
        await sim.AssertStateAsync(node1, node1, new P.KeyPresent("key_a", false), Propagation);
        await Task.Delay(TimeSpan.FromMilliseconds(500));
        await sim.AssertStateAsync(node2, node1, new P.KeyPresent("key_a", true));

        sim.AddLink(node1, node2);
        await sim.AssertStateAsync(node2, node1, new P.KeyPresent("key_a", false), Propagation);
    }

    // TL5 test_marked_for_deletion_gc_with_network_partition_4_nodes
    [Fact]
    public async Task Delete_IsolatedNodeAndLateJoiner_ResetPropagatesThroughIsolatedNode()
    {
        var node1 = TestChitchatId(1);
        var node2 = TestChitchatId(2);
        var node3 = TestChitchatId(3);
        var node4 = TestChitchatId(4);
        ChitchatId[] seeds = [node1, node2, node3];
        await using var sim = new ClusterSimulator(Gossip, TimeSpan.FromSeconds(1));
        await sim.AddNodeAsync(node1, seeds);
        await sim.AddNodeAsync(node2, seeds);
        await sim.AddNodeAsync(node3, seeds);
        sim.InsertKeyValues(node1, ("key_a", "0"));
        await sim.AssertStateAsync(node2, node1, new P.KeyPresent("key_a", true), Propagation);
        await sim.AssertStateAsync(node3, node1, new P.KeyPresent("key_a", true), Propagation);

        // Isolate node 3, then delete.
        sim.RemoveLink(node1, node3);
        sim.RemoveLink(node2, node3);
        sim.Delete(node1, "key_a");
        await sim.AssertStateAsync(node2, node1, new P.KeyMarkedDeleted("key_a", true), Propagation);
        await sim.AssertStateAsync(node3, node1, new P.KeyMarkedDeleted("key_a", false));

        // Garbage collection: grace period + 1 s.
        await Task.Delay(TimeSpan.FromSeconds(2));
        await sim.AssertStateAsync(node2, node1, new P.KeyPresent("key_a", false), Propagation);
        await sim.AssertStateAsync(node1, node1, new P.KeyPresent("key_a", false), Propagation);

        // Node 4 talks only with node 3, which still has the key.
        sim.RemoveLink(node1, node4);
        sim.RemoveLink(node2, node4);
        await sim.AddNodeAsync(node4, [node3]);
        await Task.Delay(TimeSpan.FromMilliseconds(500));
        await sim.AssertStateAsync(node3, node1, new P.KeyPresent("key_a", true));
        await sim.AssertStateAsync(node4, node1, new P.KeyPresent("key_a", true), Propagation);

        // Reconnect node 3: it is reset, and the reset reaches node 4 through it.
        sim.AddLink(node1, node3);
        sim.AddLink(node2, node3);
        await sim.AssertStateAsync(node3, node1, new P.KeyPresent("key_a", false), Propagation);
        await sim.AssertStateAsync(node4, node1, new P.KeyPresent("key_a", false), TimeSpan.FromSeconds(5) + Propagation);
    }

    // TL6 test_simple_simulation_heavy_insert_delete
    [Fact]
    public async Task InsertThenDeleteAll_TwentyNodesTwoHundredKeys_ConvergesThenCollects()
    {
        var random = new Random(6);
        var ids = Enumerable.Range(0, 20).Select(i => CreateChitchatId($"node-{i}")).ToList();
        ChitchatId[] seeds = [ids[0], ids[1], ids[2]];
        var keys = Enumerable.Range(0, 200).Select(i => $"key_{i}").ToList();
        await using var sim = new ClusterSimulator(Gossip, TimeSpan.FromSeconds(5));
        foreach (var id in ids)
        {
            await sim.AddNodeAsync(id, seeds);
        }

        foreach (var id in ids)
        {
            sim.InsertKeyValues(id, keys.Select(key => (key, ((ulong)random.NextInt64()).ToString())).ToArray());
        }

        // For every (node, key) a random observer; Rust sleeps 10 s and checks once, this polls up to 60 s.
        var checks = ids.SelectMany(id => keys.Select(key => (Observer: ids[random.Next(ids.Count)], Node: id, Key: key))).ToList();
        await Eventually.HoldsAsync(() => AllHold(sim, checks, present: true), TimeSpan.FromSeconds(60), "every key reached its observer");

        foreach (var id in ids)
        {
            sim.WithNode(id, chitchat => keys.ForEach(key => chitchat.SelfNodeState.Delete(key)));
        }

        // Grace period 5 s; Rust sleeps 10 s and checks once.
        await Eventually.HoldsAsync(() => AllHold(sim, checks, present: false), TimeSpan.FromSeconds(60), "every key was collected at its observer");
    }

    // TL7 test_garbage_collected_node_only_recreated_if_new_heartbeat
    [Fact]
    public async Task CollectedNode_GossipedByLateJoiners_RecreatedOnlyWithNewHeartbeat()
    {
        var node1 = TestChitchatId(1);
        var node2 = TestChitchatId(2);
        var lateJoiners = Enumerable.Range(3, 7).Select(TestChitchatId).ToList();
        await using var sim = new ClusterSimulator(Gossip, TimeSpan.FromSeconds(1)) { DeadNodeGracePeriod = TimeSpan.FromSeconds(4) };
        await sim.AddNodeAsync(node1, [node1]);
        await sim.AddNodeAsync(node2, [node1]);
        await sim.AssertStatusAsync(node1, node2, NodeStatus.Live, Propagation);
        sim.InsertKeyValues(node2, ("key_a", "0"));
        await sim.AssertStateAsync(node1, node2, new P.KeyPresent("key_a", true), Propagation);

        // Isolate node 2 from everyone, including the nodes to come: as if it were gone.
        sim.RemoveLink(node1, node2);
        foreach (var lateJoiner in lateJoiners)
        {
            sim.RemoveLink(lateJoiner, node2);
        }

        await sim.AssertStatusAsync(node1, node2, NodeStatus.Dead, TimeSpan.FromSeconds(5) + Propagation);

        // Late joiners record different times of death for node 2, so they keep gossiping it (with its old
        // heartbeat) after node 1 has garbage-collected it.
        foreach (var lateJoiner in lateJoiners)
        {
            await Task.Delay(TimeSpan.FromSeconds(1));
            await sim.AddNodeAsync(lateJoiner, [node1]);
        }

        await sim.AssertStatusAsync(node1, node2, NodeStatus.Absent);

        // Node 2 really comes back, with a higher heartbeat.
        sim.AddLink(node1, node2);
        await sim.AssertStatusAsync(node1, node2, NodeStatus.Live, Propagation);
    }

    // TL8 test_catchup_callback_after_partition
    [Fact]
    public async Task CatchupCallback_AfterPartitionAndCollection_CalledOnResetNode()
    {
        var catchups = Channel.CreateUnbounded<ChitchatId>();
        var node1 = TestChitchatId(1);
        var node2 = TestChitchatId(2);
        await using (var sim = new ClusterSimulator(Gossip, TimeSpan.FromSeconds(1)) { CatchupCallbacks = catchups.Writer })
        {
            await sim.AddNodeAsync(node1, [node1]);
            await sim.AddNodeAsync(node2, [node1]);
            await sim.AssertStatusAsync(node1, node2, NodeStatus.Live, Propagation);
            sim.InsertKeyValues(node1, ("key_a", "0"));
            sim.RemoveLink(node1, node2);
            sim.Delete(node1, "key_a");

            // Grace period 1 s + 2 s: node 1 collects the tombstone (last GC version 2).
            await Task.Delay(TimeSpan.FromSeconds(3));
            sim.AddLink(node1, node2);

            // Rust waits 500 ms; poll instead so that a slow machine does not fail the test.
            await Eventually.HoldsAsync(() => catchups.Reader.Count > 0, Propagation, "a catch-up callback ran");
        }

        (await catchups.Reader.ReadAsync()).Should().Be(node2, "node 2 reset its replica of node 1");
    }

    private static bool AllHold(ClusterSimulator sim, List<(ChitchatId Observer, ChitchatId Node, string Key)> checks, bool present)
    {
        foreach (var group in checks.GroupBy(check => check.Observer))
        {
            var holds = sim.WithNode(group.Key, chitchat => group.All(check =>
                chitchat.NodeState(check.Node) is { } state && (state.GetVersioned(check.Key) is not null) == present));
            if (!holds)
            {
                return false;
            }
        }

        return true;
    }
}
