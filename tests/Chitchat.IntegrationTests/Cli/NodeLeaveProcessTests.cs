using System.Diagnostics;
using System.Text.Json;
using Xunit.Abstractions;

namespace Chitchat.IntegrationTests.Cli;

/// <summary>
/// Graceful leave with real processes: three <c>chitchat node</c> processes on 127.0.0.1 at a 300 ms gossip
/// interval; one gets SIGTERM, exits with code 0, and the others report it as left (not dead) on their change
/// streams, read live through the dashboard's server-sent events.
/// </summary>
public sealed class NodeLeaveProcessTests(ITestOutputHelper output)
{
    private const int IntervalMs = 300;
    private static readonly TimeSpan s_timeout = TimeSpan.FromSeconds(30);
    private static readonly HttpClient s_http = new() { Timeout = Timeout.InfiniteTimeSpan };

    [Fact]
    public async Task Sigterm_OneOfThreeNodes_ExitsWith0_AndThePeersReportItLeft()
    {
        if (OperatingSystem.IsWindows())
        {
            return; // No SIGTERM to send.
        }

        await using var cluster = await NodeProcessCluster.StartAsync(3, "127.0.0.1", output, seedIntervalMs: IntervalMs, intervalMs: IntervalMs);
        foreach (var node in cluster.Nodes)
        {
            await cluster.WaitForAsync(node, view => view.LiveNodes.Count == 3, s_timeout, "3 live nodes");
        }

        var leaver = cluster[2];
        using var cancel = new CancellationTokenSource(s_timeout);
        var clock = new Stopwatch();
        var departures = new List<Task<(string Kind, TimeSpan At)>>();
        foreach (var observer in cluster.Nodes.Take(2))
        {
            departures.Add(await WatchDepartureAsync(observer, leaver.NodeId, clock, cancel.Token));
        }

        clock.Start();
        await leaver.Process.TerminateAsync();
        var exitCode = await leaver.Process.WaitForExitAsync(TimeSpan.FromSeconds(20));
        var exited = clock.Elapsed;

        exitCode.Should().Be(0, leaver.Process.Describe());
        leaver.Process.StandardErrorText.Should().Contain("left the cluster and stopped with the host");
        foreach (var (observer, departure) in cluster.Nodes.Take(2).Zip(departures))
        {
            var (kind, at) = await departure;
            output.WriteLine($"{observer.NodeId} reported {leaver.NodeId} {kind} {at.TotalMilliseconds:F0} ms after SIGTERM (the leaver exited after {exited.TotalMilliseconds:F0} ms; gossip interval {IntervalMs} ms)");
            kind.Should().Be("MemberLeft", "a node that leaves gracefully is reported as left, not detected dead by phi");
            var view = await cluster.WaitForAsync(observer, view => view.LiveNodes.All(id => id.NodeId != leaver.NodeId), s_timeout, $"{leaver.NodeId} is not live");
            view.LiveNodes.Should().HaveCount(2);

            // The dashboard shows the member as left.
            using var state = JsonDocument.Parse(await s_http.GetStringAsync(new Uri($"http://{observer.Address}/ui/api/state")));
            state.RootElement.GetProperty("members").EnumerateArray()
                .Single(member => member.GetProperty("nodeId").GetString() == leaver.NodeId)
                .GetProperty("state").GetString().Should().Be("left");
            state.RootElement.GetProperty("totals").GetProperty("left").GetInt32().Should().Be(1);
        }
    }

    /// <summary>
    /// Opens <paramref name="observer"/>'s live view (its first event has arrived when this returns) and returns
    /// the first member change of <paramref name="nodeId"/> that ends its membership (left or dead), with its time.
    /// </summary>
    private static async Task<Task<(string Kind, TimeSpan At)>> WatchDepartureAsync(NodeProcess observer, string nodeId, Stopwatch clock, CancellationToken cancellationToken)
    {
        var response = await s_http.GetAsync(new Uri($"http://{observer.Address}/ui/api/events"), HttpCompletionOption.ResponseHeadersRead, cancellationToken);
        var reader = new StreamReader(await response.Content.ReadAsStreamAsync(cancellationToken));
        (await reader.ReadLineAsync(cancellationToken)).Should().Be("event: state");
        return Task.Run(async () =>
        {
            using (response)
            using (reader)
            {
                string? eventName = null;
                while (await reader.ReadLineAsync(cancellationToken) is { } line)
                {
                    if (line.StartsWith("event: ", StringComparison.Ordinal))
                    {
                        eventName = line["event: ".Length..];
                    }
                    else if (eventName == "change" && line.StartsWith("data: ", StringComparison.Ordinal))
                    {
                        using var change = JsonDocument.Parse(line["data: ".Length..]);
                        var kind = change.RootElement.GetProperty("kind").GetString()!;
                        if (change.RootElement.GetProperty("nodeId").GetString() == nodeId && kind is "MemberLeft" or "MemberDead")
                        {
                            return (kind, clock.Elapsed);
                        }
                    }
                }

                throw new InvalidOperationException($"{observer.NodeId}'s live view ended before {nodeId} left.");
            }
        }, cancellationToken);
    }
}
