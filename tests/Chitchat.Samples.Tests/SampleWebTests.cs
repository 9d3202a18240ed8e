using System.Net;
using System.Text.Json;
using Chitchat.Sample.Web;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;

namespace Chitchat.Samples.Tests;

/// <summary>
/// samples/Chitchat.Sample.Web end to end: two instances in this process, each with its own HTTP port and UDP
/// gossip socket on 127.0.0.1 (port 0), form a cluster and serve it as JSON.
/// </summary>
public sealed class SampleWebTests
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task Members_TwoSampleServices_ServeBothMembersLiveWithTheirRoles()
    {
        using var timeout = new CancellationTokenSource(Timeout);
        await using var first = SampleApp.Build(Args("web-a", "api", seed: null));
        await first.StartAsync(timeout.Token);
        var firstNode = first.Services.GetRequiredService<ChitchatRef>();
        await using var second = SampleApp.Build(Args("web-b", "worker", seed: firstNode.ChitchatId.GossipAdvertiseEndPoint.ToString()));
        await second.StartAsync(timeout.Token);
        var secondNode = second.Services.GetRequiredService<ChitchatRef>();

        // Wait (event-driven) until the first node sees the second live with its role, then ask over HTTP.
        await firstNode.LiveMembers.WaitForAsync(live => live.Contains(secondNode.ChitchatId), timeout.Token);
        await WaitUntilAsync(() => firstNode.TryGetNodeState(secondNode.ChitchatId, out var state) && state.ContainsKey("role"), timeout.Token);
        using var http = new HttpClient();
        using var response = await http.GetAsync(new Uri(BaseAddress(first), "/members"), timeout.Token);
        var json = await response.Content.ReadAsStringAsync(timeout.Token);

        response.StatusCode.Should().Be(HttpStatusCode.OK);
        response.Content.Headers.ContentType!.MediaType.Should().Be("application/json");
        using var document = JsonDocument.Parse(json);
        var root = document.RootElement;
        root.GetProperty("clusterId").GetString().Should().Be("sample-tests");
        root.GetProperty("self").GetString().Should().Be("web-a");
        var members = root.GetProperty("members").EnumerateArray()
            .Select(member => (
                NodeId: member.GetProperty("nodeId").GetString(),
                State: member.GetProperty("state").GetString(),
                Role: member.GetProperty("role").GetString(),
                GossipAddress: member.GetProperty("gossipAddress").GetString()))
            .ToList();
        members.Should().Equal(
            ("web-a", "live", "api", firstNode.ChitchatId.GossipAdvertiseEndPoint.ToString()),
            ("web-b", "live", "worker", secondNode.ChitchatId.GossipAdvertiseEndPoint.ToString()));

        using var health = await http.GetAsync(new Uri(BaseAddress(second), "/health"), timeout.Token);
        health.StatusCode.Should().Be(HttpStatusCode.OK);
        (await health.Content.ReadAsStringAsync(timeout.Token)).Should().Be("Healthy");

        await second.StopAsync(timeout.Token);
        await first.StopAsync(timeout.Token);
    }

    [Fact]
    public async Task Dashboard_SampleService_ServesThePageStateAndLiveEvents()
    {
        using var timeout = new CancellationTokenSource(Timeout);
        await using var app = SampleApp.Build(Args("web-ui", "api", seed: null));
        await app.StartAsync(timeout.Token);
        using var http = new HttpClient();
        var baseAddress = BaseAddress(app);

        using var page = await http.GetAsync(new Uri(baseAddress, "/chitchat/"), timeout.Token);
        page.StatusCode.Should().Be(HttpStatusCode.OK);
        page.Content.Headers.ContentType!.MediaType.Should().Be("text/html");
        (await page.Content.ReadAsStringAsync(timeout.Token)).Should().Contain("<table id=\"members\">");
        using var script = await http.GetAsync(new Uri(baseAddress, "/chitchat/dashboard.js"), timeout.Token);
        script.StatusCode.Should().Be(HttpStatusCode.OK);

        using var state = JsonDocument.Parse(await http.GetStringAsync(new Uri(baseAddress, "/chitchat/api/state"), timeout.Token));
        state.RootElement.GetProperty("clusterId").GetString().Should().Be("sample-tests");
        state.RootElement.GetProperty("allowWrites").GetBoolean().Should().BeFalse("the dashboard is read-only by default");
        var self = state.RootElement.GetProperty("members").EnumerateArray().Single();
        self.GetProperty("nodeId").GetString().Should().Be("web-ui");
        self.GetProperty("state").GetString().Should().Be("live");

        using var write = await http.PostAsync(
            new Uri(baseAddress, "/chitchat/api/keys"),
            new StringContent("{\"key\":\"k\",\"value\":\"v\"}", System.Text.Encoding.UTF8, "application/json"),
            timeout.Token);
        write.StatusCode.Should().Be(HttpStatusCode.Forbidden);

        // The live view: a first state at once, then a change of the node's state as it happens.
        using var events = await http.GetAsync(new Uri(baseAddress, "/chitchat/api/events"), HttpCompletionOption.ResponseHeadersRead, timeout.Token);
        events.Content.Headers.ContentType!.MediaType.Should().Be("text/event-stream");
        using var reader = new StreamReader(await events.Content.ReadAsStreamAsync(timeout.Token));
        (await reader.ReadLineAsync(timeout.Token)).Should().Be("event: state");
        app.Services.GetRequiredService<ChitchatRef>().Set("color", "blue");
        string? line;
        do
        {
            line = await reader.ReadLineAsync(timeout.Token);
        }
        while (line is not null && !line.Contains("\"kind\":\"KeySet\"", StringComparison.Ordinal));

        line.Should().NotBeNull().And.Contain("\"key\":\"color\"").And.Contain("\"value\":\"blue\"");

        // An open live view does not hold the host's shutdown (nor the node's graceful leave after it).
        var stopwatch = System.Diagnostics.Stopwatch.StartNew();
        await app.StopAsync(timeout.Token);
        app.Services.GetRequiredService<ChitchatHandle>().Termination.IsCompletedSuccessfully.Should().BeTrue(
            $"the node left and stopped cleanly (the host stopped in {stopwatch.Elapsed.TotalMilliseconds:F0} ms)");
    }

    private static string[] Args(string nodeId, string role, string? seed)
    {
        var args = new List<string>
        {
            "--urls=http://127.0.0.1:0",
            "--Logging:LogLevel:Default=Warning",
            $"--Role={role}",
            $"--Chitchat:NodeId={nodeId}",
            "--Chitchat:ClusterId=sample-tests",
            "--Chitchat:ListenAddress=127.0.0.1:0",
            "--Chitchat:GossipInterval=00:00:00.050",
        };
        if (seed is not null)
        {
            args.Add($"--Chitchat:SeedNodes:0={seed}");
        }

        return [.. args];
    }

    private static Uri BaseAddress(WebApplication app) => new(app.Urls.Single());

    private static async Task WaitUntilAsync(Func<bool> condition, CancellationToken cancellationToken)
    {
        using var timer = new PeriodicTimer(TimeSpan.FromMilliseconds(20));
        while (!condition())
        {
            await timer.WaitForNextTickAsync(cancellationToken);
        }
    }
}
