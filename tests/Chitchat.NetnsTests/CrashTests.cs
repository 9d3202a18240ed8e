using System.Diagnostics;
using Xunit.Abstractions;

namespace Chitchat.NetnsTests;

/// <summary>Processes that die or freeze: under random loss, and many at once.</summary>
public sealed class CrashTests(ITestOutputHelper output)
{
    private static readonly TimeSpan s_timeout = TimeSpan.FromSeconds(90);

    [NetnsFact]
    public async Task SigkillAndSigstop_Under20PercentLoss_DetectedWithoutFalseDeaths()
    {
        var watch = new ClusterWatch(output, "SIGKILL and SIGSTOP under 20 % loss");
        await using var lab = await NetnsLab.CreateAsync(5, output);
        for (var host = 0; host < 5; host++)
        {
            // Every host drops 20 % of the datagrams it receives, at random (nftables numgen).
            await lab.LossAsync(host, 20);
        }

        var generation = (ulong)DateTimeOffset.UtcNow.ToUnixTimeSeconds();
        string[] flags = ["--interval_ms", "100", "--dead_node_grace_ms", "5000", "--seed", NetnsLab.EndpointOf(0)];
        var nodes = await lab.StartNodesAsync(Enumerable.Range(0, 5), generation, _ => flags);
        var healthy = nodes[..3];
        var (paused, killed) = (nodes[3], nodes[4]);
        watch.Figure("5 nodes all live everywhere after start", await watch.UntilAllAsync(nodes, (_, v) => v.SeesLive(nodes), s_timeout, "all 5 live everywhere"));
        await watch.WarmUpAsync(nodes);

        var falseDeaths = 0;
        bool NoFalseDeath(NodeView view, IEnumerable<LabNode> alive)
        {
            if (!view.SeesLive(alive))
            {
                Interlocked.Increment(ref falseDeaths);
            }

            return true;
        }

        var kill = Stopwatch.StartNew();
        killed.Kill();
        watch.Figure("SIGKILL to dead on the 4 others", await watch.UntilAllAsync(
            nodes[..4], (_, v) => NoFalseDeath(v, nodes[..4]) && v.SeesNotLive(killed.NodeId), s_timeout, "the killed node_4 not live on the others", kill));

        var pause = Stopwatch.StartNew();
        await paused.PauseAsync();
        watch.Figure("SIGSTOP to dead on the 3 others", await watch.UntilAllAsync(
            healthy, (_, v) => NoFalseDeath(v, healthy) && v.SeesNotLive(paused.NodeId), s_timeout, "the paused node_3 not live on the others", pause));

        var resume = Stopwatch.StartNew();
        await paused.ResumeAsync();
        watch.Figure("SIGCONT to live again everywhere", await watch.UntilAllAsync(
            nodes[..4], (_, v) => v.SeesLive(nodes[..4]), s_timeout, "the resumed node_3 live everywhere again", resume));
        watch.Figure("SIGKILL to forgotten (grace 5 s)", await watch.UntilAllAsync(
            nodes[..4], (_, v) => NoFalseDeath(v, healthy) && !v.Knows(killed.NodeId), s_timeout, "the killed node_4 forgotten", kill));

        watch.Figure("false deaths of healthy nodes seen in polls", falseDeaths.ToString(System.Globalization.CultureInfo.InvariantCulture));
        falseDeaths.Should().Be(0, "a healthy node is never declared dead under 20 % loss");
    }

    [NetnsFact]
    public async Task TwentyHosts_FiveKilledAtOnce_SurvivorsAgreeQuickly()
    {
        var watch = new ClusterWatch(output, "20 hosts, 5 killed at once");
        await using var lab = await NetnsLab.CreateAsync(20, output);
        var generation = (ulong)DateTimeOffset.UtcNow.ToUnixTimeSeconds();
        string[] flags = ["--interval_ms", "100", "--dead_node_grace_ms", "5000", "--seed", NetnsLab.EndpointOf(0), "--seed", NetnsLab.EndpointOf(1)];
        var started = Stopwatch.StartNew();
        var nodes = await lab.StartNodesAsync(Enumerable.Range(0, 20), generation, _ => flags);
        watch.Figure("20 nodes all live everywhere, since the first process start", await watch.UntilAllAsync(
            nodes, (_, v) => v.SeesLive(nodes), s_timeout, "all 20 live everywhere", started));
        await watch.WarmUpAsync(nodes);

        var victims = nodes[15..];
        var survivors = nodes[..15];
        var falseDeaths = 0;
        var kill = Stopwatch.StartNew();
        foreach (var victim in victims)
        {
            victim.Kill();
        }

        watch.Figure("SIGKILL of 5 to all 5 dead on all 15 survivors", await watch.UntilAllAsync(
            survivors,
            (_, v) =>
            {
                if (!v.SeesLive(survivors))
                {
                    Interlocked.Increment(ref falseDeaths);
                }

                return victims.All(victim => v.SeesNotLive(victim.NodeId));
            },
            s_timeout,
            "the 5 killed nodes not live on every survivor",
            kill));
        watch.Figure("SIGKILL of 5 to all 5 forgotten (grace 5 s)", await watch.UntilAllAsync(
            survivors, (_, v) => v.SeesLive(survivors) && victims.All(victim => !v.Knows(victim.NodeId)), s_timeout, "the 5 killed nodes forgotten", kill));
        watch.Figure("false deaths of survivors seen in polls", falseDeaths.ToString(System.Globalization.CultureInfo.InvariantCulture));
        falseDeaths.Should().Be(0, "no survivor is declared dead when 5 nodes die");
    }
}
