using Chitchat.Testing;
using static Chitchat.IntegrationTests.InMemoryCluster;

namespace Chitchat.IntegrationTests;

/// <summary>
/// Port of chitchat lib.rs cluster tests (TI4–TI10): real server loops over the in-memory transport,
/// observed through the live-nodes watch.
/// </summary>
public sealed class LiveNodesClusterTests
{
    private static List<ChitchatId> Ids(params int[] ports) => ports.Select(ChitchatId.ForLocalTest).ToList();

    // TI4 test_live_node_channel
    [Fact]
    public async Task LiveNodesWatch_FiveNodes_EventuallyYieldsAllFive()
    {
        await using var cluster = new TestCluster(NewTransport());
        var nodes = await SetupNodesAsync(cluster, Enumerable.Range(20_001, 5));
        try
        {
            using var cts = new CancellationTokenSource(WatchTimeout);
            var liveMembers = await nodes[1].Chitchat.LiveMembers.WaitForAsync(live => live.Count == 5, cts.Token);

            liveMembers.Should().BeEquivalentTo(nodes.Select(node => node.ChitchatId));
        }
        finally
        {
            await cluster.DisposeAsync();
        }
    }

    // TI5 test_live_node_channel_with_extra_predicate
    [Fact]
    public async Task LiveNodesWatch_ExtraPredicate_FiltersOnReadyKey()
    {
        var transport = NewTransport();
        var ids = Ids(1, 2, 3);
        await using var cluster = new TestCluster(transport);
        var nodes = new List<ChitchatHandle>();
        try
        {
            foreach (var id in ids)
            {
                var config = NodeConfig(id, [ids[0].GossipAdvertiseAddr.ToString()], TimeSpan.FromSeconds(20));
                config.ExtraLivenessPredicate = state => state.TryGetValue("READY", out var ready) && ready == "true";
                nodes.Add(await cluster.StartNodeAsync(config));
            }

            // (a) Nobody is READY: within 1 s the watch never shows 3 members, and it shows 0 (even self is filtered).
            var lastCount = -1;
            using (var oneSecond = new CancellationTokenSource(TimeSpan.FromSeconds(1)))
            {
                var act = async () =>
                {
                    await foreach (var live in nodes[2].Chitchat.LiveMembers.WatchAsync(oneSecond.Token))
                    {
                        lastCount = live.Count;
                        if (live.Count == 3)
                        {
                            return;
                        }
                    }
                };
                await act.Should().ThrowAsync<OperationCanceledException>();
            }

            lastCount.Should().Be(0);

            // (b) Everyone READY.
            foreach (var node in nodes)
            {
                node.WithChitchat(chitchat => chitchat.SelfNodeState.Set("READY", "true"));
            }

            (await WaitForCountAsync(nodes[2], 3)).Should().BeEquivalentTo(ids);

            // (c) Node 1 no longer READY.
            nodes[0].WithChitchat(chitchat => chitchat.SelfNodeState.Delete("READY"));
            (await WaitForCountAsync(nodes[2], 2)).Should().BeEquivalentTo([ids[1], ids[2]]);

            // (d) Node 2 READY=false.
            nodes[1].WithChitchat(chitchat => chitchat.SelfNodeState.Set("READY", "false"));
            (await WaitForCountAsync(nodes[2], 1)).Should().Equal(ids[2]);
        }
        finally
        {
            await cluster.DisposeAsync();
        }

        static async Task<IReadOnlySet<ChitchatId>> WaitForCountAsync(ChitchatHandle node, int count)
        {
            using var cts = new CancellationTokenSource(WatchTimeout);
            return await node.Chitchat.LiveMembers.WaitForAsync(live => live.Count == count, cts.Token);
        }
    }

    // TI6 test_multiple_nodes
    [Fact]
    public async Task LiveNodes_FiveNodes_SecondNodeSeesExactlyAll()
    {
        await using var cluster = new TestCluster(NewTransport());
        var nodes = await SetupNodesAsync(cluster, Enumerable.Range(20_001, 5));
        try
        {
            nodes[1].ChitchatId.GossipAdvertiseAddr.Port.Should().Be(20_002);
            await WaitForLiveNodesAsync(nodes[1], Ids(20_001, 20_002, 20_003, 20_004, 20_005));
        }
        finally
        {
            await cluster.DisposeAsync();
        }
    }

    // TI7 test_node_goes_from_live_to_down_to_live
    [Fact]
    public async Task LiveNodes_NodeStopsThenRestartsWithSameId_SeenDeadThenLiveAgain()
    {
        var transport = NewTransport();
        await using var cluster = new TestCluster(transport);
        var nodes = await SetupNodesAsync(cluster, Enumerable.Range(30_001, 6));
        try
        {
            await WaitForLiveNodesAsync(nodes[0], Ids(30_001, 30_002, 30_003, 30_004, 30_005, 30_006));

            var node3 = nodes[2];
            nodes.RemoveAt(2);
            node3.ChitchatId.GossipAdvertiseAddr.Port.Should().Be(30_003);
            await node3.ShutdownAsync();
            await WaitForLiveNodesAsync(nodes[1], Ids(30_001, 30_002, 30_004, 30_005, 30_006));

            // Same id (generation 0): the others resume once its heartbeat climbs above the last one they saw.
            nodes.Add(await StartNodeAsync(cluster, ChitchatId.ForLocalTest(30_003), [ChitchatId.ForLocalTest(30_001).GossipAdvertiseAddr]));
            await WaitForLiveNodesAsync(nodes[0], Ids(30_001, 30_002, 30_003, 30_004, 30_005, 30_006));
        }
        finally
        {
            await cluster.DisposeAsync();
        }
    }

    // TI8 test_dead_node_kvs_are_gossiped_too_when_node_joins
    [Fact]
    public async Task Join_AfterANodeDied_NewcomerGetsTheDeadNodesStateAndSeesItDead()
    {
        var transport = NewTransport();
        await using var cluster = new TestCluster(transport);
        var nodes = await SetupNodesAsync(cluster, [40_001, 40_002]);
        try
        {
            var node1Id = nodes[0].ChitchatId;
            nodes[0].WithChitchat(chitchat => chitchat.SelfNodeState.Set("test_key", "test_val"));
            await WaitForLiveNodesAsync(nodes[1], Ids(40_001, 40_002));
            await Eventually.HoldsAsync(
                () => nodes[1].WithChitchat(chitchat => chitchat.NodeState(node1Id)?.Get("test_key")) == "test_val",
                TimeSpan.FromSeconds(10),
                "node 2 received node 1's key");

            var node1 = nodes[0];
            nodes.RemoveAt(0);
            await node1.ShutdownAsync();
            var node2Id = nodes[0].ChitchatId;
            await WaitForLiveNodesAsync(nodes[0], [node2Id]);

            // A new node on node 1's address, under a new name.
            var newConfig = ChitchatConfig.ForTest(40_001);
            newConfig.NodeId = "new_node";
            newConfig.SeedNodes = [node2Id.GossipAdvertiseAddr.ToString()];
            var newNode = await cluster.StartNodeAsync(newConfig);
            nodes.Add(newNode);
            await WaitForLiveNodesAsync(newNode, [newConfig.ChitchatId, node2Id]);

            newNode.WithChitchat(chitchat =>
            {
                chitchat.NodeState(node1Id)!.Get("test_key").Should().Be("test_val", "the state of a dead node is gossiped too");
                chitchat.DeadNodes.Should().Equal(node1Id);
            });
        }
        finally
        {
            await cluster.DisposeAsync();
        }
    }

    // TI9 test_network_partition_nodes
    [Fact]
    public async Task LiveNodes_SixNodes_EveryNodeSeesAllSix()
    {
        await using var cluster = new TestCluster(NewTransport());
        var nodes = await SetupNodesAsync(cluster, Enumerable.Range(11_001, 6));
        try
        {
            var expected = Ids(11_001, 11_002, 11_003, 11_004, 11_005, 11_006);
            foreach (var node in nodes)
            {
                await WaitForLiveNodesAsync(node, expected);
            }
        }
        finally
        {
            await cluster.DisposeAsync();
        }
    }

    // TI10 test_dead_node_garbage_collection (dead node grace period 4 s instead of 20 s: same intent, shorter run).
    [Fact]
    public async Task DeadNode_AfterGracePeriod_IsForgottenByEveryNode()
    {
        var gracePeriod = TimeSpan.FromSeconds(4);
        await using var cluster = new TestCluster(NewTransport());
        var nodes = await SetupNodesAsync(cluster, Enumerable.Range(60_001, 6), gracePeriod);
        try
        {
            await WaitForLiveNodesAsync(nodes[1], Ids(60_001, 60_002, 60_003, 60_004, 60_005, 60_006));

            var node3 = nodes[2];
            nodes.RemoveAt(2);
            await node3.ShutdownAsync();
            await WaitForLiveNodesAsync(nodes[1], Ids(60_001, 60_002, 60_004, 60_005, 60_006));

            // Dead, but still known.
            var deadId = ChitchatId.ForLocalTest(60_003);
            foreach (var node in nodes)
            {
                node.WithChitchat(chitchat => chitchat.NodeState(deadId)).Should().NotBeNull();
            }

            // Rust sleeps grace period + 5 s (nodes notice the death at different times); poll up to that.
            await Eventually.HoldsAsync(
                () => nodes.All(node => node.WithChitchat(chitchat => chitchat.NodeState(deadId)) is null),
                gracePeriod + TimeSpan.FromSeconds(10),
                "every node forgot the dead node");
        }
        finally
        {
            await cluster.DisposeAsync();
        }
    }
}
