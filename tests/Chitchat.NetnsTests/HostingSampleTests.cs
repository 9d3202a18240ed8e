using System.Diagnostics;
using System.Text;
using Xunit.Abstractions;

namespace Chitchat.NetnsTests;

/// <summary>The hosting package's web sample (AddChitchat in an ASP.NET Core service) on three hosts of their own.</summary>
public sealed class HostingSampleTests(ITestOutputHelper output)
{
    private static readonly TimeSpan s_timeout = TimeSpan.FromSeconds(60);

    [NetnsFact]
    public async Task WebSample_ThreeHostsJoinedThroughASeed_FormAClusterAndSeeAKilledOneDead()
    {
        var watch = new ClusterWatch(output, "web sample on 3 hosts");
        await using var lab = await NetnsLab.CreateAsync(3, output);

        // Heartbeats every 100 ms, and a failure-detector prior of 500 ms instead of 5 s, so that a death is seen in
        // seconds without first warming the detectors up.
        string[] settings = ["--Chitchat:GossipInterval=00:00:00.100", "--Chitchat:FailureDetectorConfig:InitialInterval=00:00:00.500"];
        var started = Stopwatch.StartNew();
        var seed = NetnsLab.EndpointOf(0);
        await using var web0 = await SampleHost.StartAsync(lab, 0, "web-0", "frontend", seed: null, settings);
        await using var web1 = await SampleHost.StartAsync(lab, 1, "web-1", "api", seed, settings);
        await using var web2 = await SampleHost.StartAsync(lab, 2, "web-2", "worker", seed, settings);
        SampleHost[] samples = [web0, web1, web2];
        watch.Figure("3 samples started (processes up, HTTP answering)", started.Elapsed);

        // Every sample lists all three, live, each with the role it published and at its own host's address.
        (string, string, string?, string)[] expected =
        [
            ("web-0", "live", "frontend", NetnsLab.EndpointOf(0)),
            ("web-1", "live", "api", NetnsLab.EndpointOf(1)),
            ("web-2", "live", "worker", NetnsLab.EndpointOf(2)),
        ];
        watch.Figure("all 3 live with their roles on every sample's /members, since the first start", await UntilAllAsync(
            samples, members => members.Select(m => (m.NodeId, m.State, m.Role, m.GossipAddress)).SequenceEqual(expected), "every sample lists the 3 members live", started));

        var kill = Stopwatch.StartNew();
        web2.Process.Kill();
        watch.Figure("SIGKILL of web-2 to dead on both other samples", await UntilAllAsync(
            [web0, web1],
            members => members.Single(m => m.NodeId == "web-2").State == "dead"
                && members.Where(m => m.NodeId != "web-2").All(m => m.State == "live"),
            "web-2 dead and the others live on web-0 and web-1",
            kill));
    }

    /// <summary>Polls every sample's /members until <paramref name="condition"/> holds on all of them at once.</summary>
    private async Task<TimeSpan> UntilAllAsync(
        IReadOnlyList<SampleHost> samples, Func<IReadOnlyList<SampleMember>, bool> condition, string what, Stopwatch since)
    {
        var deadline = since.Elapsed + s_timeout;
        while (true)
        {
            var views = await Task.WhenAll(samples.Select(async sample => (Sample: sample, Members: await sample.TryGetMembersAsync())));
            var failing = views.Where(v => v.Members is null || !condition(v.Members)).ToList();
            if (failing.Count == 0)
            {
                output.WriteLine($"[{since.Elapsed.TotalSeconds,6:0.00} s] {what}");
                return since.Elapsed;
            }

            if (since.Elapsed > deadline)
            {
                var message = new StringBuilder($"timed out after {s_timeout.TotalSeconds} s waiting until {what}; not yet on:\n");
                foreach (var (sample, members) in failing)
                {
                    message.Append($"--- {sample}: {(members is null ? "no answer" : string.Join(", ", members))}\n{sample.Process.Describe(15)}\n");
                }

                throw new Xunit.Sdk.XunitException(message.ToString());
            }

            await Task.Delay(100);
        }
    }
}
