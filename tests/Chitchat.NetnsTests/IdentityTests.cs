using System.Diagnostics;
using Xunit.Abstractions;

namespace Chitchat.NetnsTests;

/// <summary>Where nodes are found: a node that comes back elsewhere, and seeds behind DNS records that change.</summary>
public sealed class IdentityTests(ITestOutputHelper output)
{
    private static readonly TimeSpan s_timeout = TimeSpan.FromSeconds(60);

    [NetnsFact]
    public async Task NodeRestartedOnNewIpWithNewGeneration_ReplacesItsOldIncarnationEverywhere()
    {
        var watch = new ClusterWatch(output, "node restarted on a new IP, new generation");
        await using var lab = await NetnsLab.CreateAsync(4, output);
        var generation = (ulong)DateTimeOffset.UtcNow.ToUnixTimeSeconds();
        string[] flags = ["--interval_ms", "100", "--dead_node_grace_ms", "3000", "--seed", NetnsLab.EndpointOf(0)];
        var nodes = await lab.StartNodesAsync(Enumerable.Range(0, 4), generation, _ => flags);
        var survivors = nodes[..3];
        var old = nodes[3];
        await watch.UntilAllAsync(nodes, (_, v) => v.SeesLive(nodes), s_timeout, "all 4 live everywhere");
        await old.SetAsync("incarnation", "first");
        await watch.UntilAllAsync(survivors, (_, v) => v.HasValue(old.NodeId, "incarnation", "first"), s_timeout, "the first incarnation's key everywhere");
        await watch.WarmUpAsync(nodes);

        // The host is gone (killed); the node comes back on another host, as a rescheduled pod would.
        old.Kill();
        await lab.AddHostAsync(4);
        var restart = Stopwatch.StartNew();
        var reborn = await lab.StartNodeAsync(4, old.NodeId, generation + 1, flags);
        await reborn.SetAsync("incarnation", "second");
        LabNode[] current = [.. survivors, reborn];
        bool SeesOnlyNewIncarnation(NodeView view) =>
            view.LiveNodes.Count(id => id.NodeId == old.NodeId) == 1
            && view.LiveNodes.Any(id => id.NodeId == old.NodeId && id.GenerationId == generation + 1 && id.GossipAdvertiseAddr == reborn.Endpoint);

        watch.Figure("restart to new incarnation live everywhere, old one not live", await watch.UntilAllAsync(
            current,
            (_, v) => v.SeesLive(current) && SeesOnlyNewIncarnation(v) && v.NodeStates.Any(s => s.Id.GenerationId == generation + 1 && s.KeyValues.GetValueOrDefault("incarnation")?.Value == "second"),
            s_timeout,
            "node_3 live everywhere only at its new address and generation, with its new key",
            restart));
        watch.Figure("restart to old incarnation forgotten everywhere (grace 3 s)", await watch.UntilAllAsync(
            current,
            (_, v) => !v.NodeStates.Any(s => s.Id.NodeId == old.NodeId && s.Id.GenerationId == generation) && SeesOnlyNewIncarnation(v),
            s_timeout,
            "the old incarnation of node_3 forgotten everywhere",
            restart));
    }

    [NetnsFact]
    public async Task SeedsGivenAsDnsName_RecordsChange_NodesFollowTheNewAddresses()
    {
        const string SeedName = "seeds.chitchat.test";
        var watch = new ClusterWatch(output, "seeds as a DNS name (dnsmasq), records change");
        await using var lab = await NetnsLab.CreateAsync(3, output);
        await lab.StartDnsAsync();
        await lab.SetDnsAsync(SeedName, 0);
        var generation = (ulong)DateTimeOffset.UtcNow.ToUnixTimeSeconds();
        string[] common = ["--interval_ms", "100", "--dead_node_grace_ms", "60000"];
        var first = await lab.StartNodeAsync(0, NetnsLab.NodeIdOf(0), generation, common);
        var follower = await lab.StartNodeAsync(1, NetnsLab.NodeIdOf(1), generation, [.. common, "--seed", $"{SeedName}:{NetnsLab.Port}", "--seed_refresh_ms", "1000"]);
        await watch.UntilAllAsync([follower], (_, v) => v.SeedAddrs.SequenceEqual([first.Endpoint]), s_timeout, "node_1 resolved the seed name to host 0");
        await watch.UntilAllAsync([first, follower], (_, v) => v.SeesLive([first, follower]), s_timeout, "node_0 and node_1 joined through the name");

        // A node nobody knows yet, and the name now points at it only.
        var newcomer = await lab.StartNodeAsync(2, NetnsLab.NodeIdOf(2), generation, common);
        var change = Stopwatch.StartNew();
        await lab.SetDnsAsync(SeedName, 2);
        watch.Figure("record change to new seed address in use (refresh 1 s)", await watch.UntilAllAsync(
            [follower], (_, v) => v.SeedAddrs.SequenceEqual([newcomer.Endpoint]), s_timeout, "node_1 re-resolved the name to host 2", change));
        LabNode[] all = [first, follower, newcomer];
        watch.Figure("record change to the new node live everywhere", await watch.UntilAllAsync(
            all, (_, v) => v.SeesLive(all), s_timeout, "node_2 joined through the changed record", change));

        // The name stops resolving: the seed set empties, the cluster stays as it is.
        var removal = Stopwatch.StartNew();
        await lab.SetDnsAsync(SeedName);
        watch.Figure("record removed to seed set empty", await watch.UntilAllAsync(
            [follower], (_, v) => v.SeedAddrs.Count == 0, s_timeout, "node_1 has no seed left", removal));
        await follower.SetAsync("after", "dns-removed");
        await watch.UntilAllAsync(all, (_, v) => v.SeesLive(all) && v.HasValue(follower.NodeId, "after", "dns-removed"), s_timeout, "the cluster still works without seeds");
    }
}
