using System.Diagnostics;
using Xunit.Abstractions;

namespace Chitchat.NetnsTests;

/// <summary>Partitions between hosts that heal: split in two halves, one host cut off for long, one-way links.</summary>
public sealed class PartitionTests(ITestOutputHelper output)
{
    private static readonly TimeSpan s_timeout = TimeSpan.FromSeconds(60);

    [NetnsFact]
    public async Task SplitThreeThree_ThenHealed_BothSidesWritesReachEveryNode()
    {
        var watch = new ClusterWatch(output, "6 hosts split 3/3, healed");
        await using var lab = await NetnsLab.CreateAsync(6, output);
        var generation = (ulong)DateTimeOffset.UtcNow.ToUnixTimeSeconds();

        // One seed on each side, as a deployment with seeds in two zones would have.
        string[] flags = ["--interval_ms", "100", "--dead_node_grace_ms", "60000", "--seed", NetnsLab.EndpointOf(0), "--seed", NetnsLab.EndpointOf(3)];
        var nodes = await lab.StartNodesAsync(Enumerable.Range(0, 6), generation, _ => flags);
        var left = nodes[..3];
        var right = nodes[3..];
        watch.Figure("6 nodes see each other live after start", await watch.UntilAllAsync(nodes, (_, v) => v.SeesLive(nodes), s_timeout, "all 6 live everywhere"));
        foreach (var node in nodes)
        {
            await node.SetAsync("before", node.NodeId);
        }

        await watch.UntilAllAsync(nodes, (_, v) => nodes.All(n => v.HasValue(n.NodeId, "before", n.NodeId)), s_timeout, "the writes before the split everywhere");
        await watch.WarmUpAsync(nodes);

        // Split: each side drops every datagram from the other.
        var split = Stopwatch.StartNew();
        await Task.WhenAll(nodes.Select(node => lab.BlockAsync(node.Host, (left.Contains(node) ? right : left).Select(n => n.Host).ToArray())));
        watch.Figure("each side sees the other side dead", await watch.UntilAllAsync(
            nodes,
            (node, v) => (left.Contains(node) ? right : left).All(other => v.SeesNotLive(other.NodeId)) && v.SeesLive(left.Contains(node) ? left : right),
            s_timeout,
            "each side sees its own 3 live and the other 3 not live",
            split));

        // Both sides write while split; each side converges on its own writes only.
        foreach (var node in nodes)
        {
            await node.SetAsync("during", $"{node.NodeId}-split");
        }

        await watch.UntilAllAsync(
            nodes,
            (node, v) => (left.Contains(node) ? left : right).All(n => v.HasValue(n.NodeId, "during", $"{n.NodeId}-split")),
            s_timeout,
            "each side has its own side's writes");
        foreach (var node in left)
        {
            var view = await node.TryGetStateAsync();
            view!.ValueOf(right[0].NodeId, "during").Should().BeNull("the split is real: no write crosses it");
        }

        output.WriteLine($"healing after a split of {split.Elapsed.TotalSeconds:0.0} s");
        var heal = Stopwatch.StartNew();
        await Task.WhenAll(nodes.Select(node => lab.UnblockAsync(node.Host)));
        var healed = await watch.UntilAllAsync(
            nodes,
            (_, v) => v.SeesLive(nodes) && nodes.All(n => v.HasValue(n.NodeId, "before", n.NodeId) && v.HasValue(n.NodeId, "during", $"{n.NodeId}-split")),
            s_timeout,
            "after the heal: all 6 live and all 12 writes on every node",
            heal);
        watch.Figure("heal to all 6 live with all 12 keys everywhere", healed);
        watch.Figure("keys lost", "0 of 12");
    }

    [NetnsFact]
    public async Task HostIsolatedLongerThanDeadGracePeriod_ThenBack_RejoinsThroughItsSeed()
    {
        var watch = new ClusterWatch(output, "1 host isolated > dead grace period");
        await using var lab = await NetnsLab.CreateAsync(4, output);
        var generation = (ulong)DateTimeOffset.UtcNow.ToUnixTimeSeconds();
        string[] flags = ["--interval_ms", "100", "--dead_node_grace_ms", "3000"];
        var seed = await lab.StartNodeAsync(0, NetnsLab.NodeIdOf(0), generation, flags);
        var others = await lab.StartNodesAsync(Enumerable.Range(1, 3), generation, _ => [.. flags, "--seed", seed.Endpoint]);
        LabNode[] nodes = [seed, .. others];
        var isolated = nodes[3];
        var rest = nodes[..3];
        await watch.UntilAllAsync(nodes, (_, v) => v.SeesLive(nodes), s_timeout, "all 4 live everywhere");
        await isolated.SetAsync("written", "before-isolation");
        await watch.WarmUpAsync(nodes);

        var isolation = Stopwatch.StartNew();
        await lab.IsolateAsync(isolated.Host);
        watch.Figure("others see the isolated node dead", await watch.UntilAllAsync(rest, (_, v) => v.SeesNotLive(isolated.NodeId), s_timeout, "the others see node_3 not live", isolation));

        // Longer than the grace period: both sides forget each other entirely.
        watch.Figure("others forget the isolated node (grace 3 s), since isolation", await watch.UntilAllAsync(rest, (_, v) => !v.Knows(isolated.NodeId), s_timeout, "the others forgot node_3", isolation));
        await watch.UntilAllAsync([isolated], (_, v) => v.NodeStates.Count == 1, s_timeout, "node_3 forgot every other node: only its seed list is left");
        await isolated.SetAsync("written", "during-isolation");

        output.WriteLine($"reconnecting after {isolation.Elapsed.TotalSeconds:0.0} s of isolation");
        var reconnect = Stopwatch.StartNew();
        await lab.ReconnectAsync(isolated.Host);
        var rejoined = await watch.UntilAllAsync(
            nodes,
            (_, v) => v.SeesLive(nodes) && v.HasValue(isolated.NodeId, "written", "during-isolation"),
            s_timeout,
            "node_3 rejoined: all 4 live everywhere with its latest write",
            reconnect);
        watch.Figure("reconnect to rejoined everywhere (through its seed only)", rejoined);
    }

    [NetnsFact]
    public async Task AsymmetricPartition_AHearsBButBDoesNotHearA_ThirdNodeRelaysState()
    {
        var watch = new ClusterWatch(output, "asymmetric partition (A hears B, B not A)");
        await using var lab = await NetnsLab.CreateAsync(3, output);
        var generation = (ulong)DateTimeOffset.UtcNow.ToUnixTimeSeconds();
        string[] flags = ["--interval_ms", "100", "--dead_node_grace_ms", "60000", "--seed", NetnsLab.EndpointOf(2)];
        var nodes = await lab.StartNodesAsync(Enumerable.Range(0, 3), generation, _ => flags);
        var (a, b, c) = (nodes[0], nodes[1], nodes[2]);
        await watch.UntilAllAsync(nodes, (_, v) => v.SeesLive(nodes), s_timeout, "all 3 live everywhere");

        // B drops everything A sends: A's Syns to B and A's replies to B's Syns are lost; A still hears B.
        await lab.BlockAsync(b.Host, a.Host);
        var write = Stopwatch.StartNew();
        await a.SetAsync("from", "a-after-block");
        await b.SetAsync("from", "b-after-block");
        watch.Figure("A's write reaches B (relayed by C)", await watch.UntilAllAsync([b], (_, v) => v.HasValue(a.NodeId, "from", "a-after-block"), s_timeout, "B has A's write through C", write));
        await watch.UntilAllAsync([a], (_, v) => v.HasValue(b.NodeId, "from", "b-after-block"), s_timeout, "A has B's write");

        // With a relay, the one-way link is invisible to liveness: nobody is declared dead for a while.
        var stable = Stopwatch.StartNew();
        while (stable.Elapsed < TimeSpan.FromSeconds(5))
        {
            foreach (var node in nodes)
            {
                var view = await node.TryGetStateAsync();
                view.Should().NotBeNull();
                view!.SeesLive(nodes).Should().BeTrue($"{node.NodeId} sees all 3 live while C relays ({view})");
            }

            await Task.Delay(200);
        }

        // Without the relay, the one-way link alone: B stops hearing A (directly or not); A still hears B's Syns.
        var relayGone = Stopwatch.StartNew();
        await lab.IsolateAsync(c.Host);
        watch.Figure("without relay: B sees A dead", await watch.UntilAllAsync([b], (_, v) => v.SeesNotLive(a.NodeId), s_timeout, "B sees A not live", relayGone));
        // A still hears B's Syns, whose digests carry B's heartbeat, so A keeps B live; but B never gets A's
        // replies, so B's deltas (its new writes) never reach A.
        await b.SetAsync("from", "b-one-way");
        var heartbeatAtStart = (await a.TryGetStateAsync())!.NodeStates.Single(state => state.Id.NodeId == b.NodeId).Heartbeat;
        await watch.UntilAllAsync(
            [a],
            (_, v) => v.NodeStates.Single(state => state.Id.NodeId == b.NodeId).Heartbeat > heartbeatAtStart + 10,
            s_timeout,
            "A sees B's heartbeat advance (through B's digests)");
        var aView = (await a.TryGetStateAsync())!;
        aView.SeesLive(b.NodeId).Should().BeTrue("A hears B's digests");
        aView.ValueOf(b.NodeId, "from").Should().Be("b-after-block", "B's deltas need a reply from A, which B drops");
        watch.Figure("without relay: A's view of B", "live (digest heartbeats), writes frozen");
        await a.SetAsync("from", "a-one-way");

        var restore = Stopwatch.StartNew();
        await lab.ReconnectAsync(c.Host);
        await lab.UnblockAsync(b.Host);
        watch.Figure("unblocked to all 3 live with every write", await watch.UntilAllAsync(
            nodes,
            (_, v) => v.SeesLive(nodes) && v.HasValue(a.NodeId, "from", "a-one-way") && v.HasValue(b.NodeId, "from", "b-one-way"),
            s_timeout,
            "all 3 live with the last writes after the links are back",
            restore));
    }
}
