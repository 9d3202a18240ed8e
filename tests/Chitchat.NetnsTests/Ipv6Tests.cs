using System.Diagnostics;
using Xunit.Abstractions;

namespace Chitchat.NetnsTests;

/// <summary>A cluster whose hosts gossip over IPv6 only.</summary>
public sealed class Ipv6Tests(ITestOutputHelper output)
{
    private static readonly TimeSpan s_timeout = TimeSpan.FromSeconds(60);

    [NetnsFact]
    public async Task ThreeHostsOnIpv6Addresses_JoinReplicateAndDetectADeath()
    {
        var watch = new ClusterWatch(output, "3 hosts on IPv6 addresses");
        await using var lab = await NetnsLab.CreateAsync(3, output);
        var generation = (ulong)DateTimeOffset.UtcNow.ToUnixTimeSeconds();
        string[] flags = ["--interval_ms", "100", "--dead_node_grace_ms", "60000", "--seed", NetnsLab.EndpointOf6(0)];
        var started = Stopwatch.StartNew();
        var nodes = await Task.WhenAll(Enumerable.Range(0, 3).Select(host =>
            lab.StartNodeAtAsync(host, NetnsLab.EndpointOf6(host), NetnsLab.NodeIdOf(host), generation, flags)));

        // Every node is known at its IPv6 gossip address, as it advertises it.
        watch.Figure("3 nodes live everywhere at their IPv6 addresses, since the first process start", await watch.UntilAllAsync(
            nodes,
            (_, v) => v.SeesLive(nodes) && nodes.All(n => v.LiveNodes.Any(id => id.NodeId == n.NodeId && id.GossipAdvertiseAddr == n.Endpoint)),
            s_timeout,
            "all 3 live everywhere, each at [fd77::1x]:7280",
            started));

        var write = Stopwatch.StartNew();
        await nodes[1].SetAsync("family", "ipv6");
        watch.Figure("write to everywhere", await watch.UntilAllAsync(
            nodes, (_, v) => v.HasValue(nodes[1].NodeId, "family", "ipv6"), s_timeout, "node_1's write everywhere", write));
        await watch.WarmUpAsync(nodes);

        var kill = Stopwatch.StartNew();
        nodes[2].Kill();
        watch.Figure("SIGKILL to dead on the 2 others", await watch.UntilAllAsync(
            nodes[..2], (_, v) => v.SeesLive(nodes[..2]) && v.SeesNotLive(nodes[2].NodeId), s_timeout, "node_2 not live on the others", kill));
    }
}
