using System.Net;

namespace Chitchat.IntegrationTests.Cli;

/// <summary>One <c>chitchat node</c> process: HTTP errors, tombstones, graceful stop, and start-up failures.</summary>
public sealed class NodeCommandProcessTests
{
    private static readonly TimeSpan s_exitTimeout = TimeSpan.FromSeconds(20);

    [Fact]
    public async Task SetKv_MissingParameters_Returns400WithAClearMessage()
    {
        await using var node = await StartSingleAsync();

        var (status, body) = await node.GetAsync("/set_kv/?key=only_key");
        status.Should().Be(HttpStatusCode.BadRequest);
        body.Should().Contain("missing query parameter 'value'");

        (status, body) = await node.GetAsync("/mark_for_deletion");
        status.Should().Be(HttpStatusCode.BadRequest);
        body.Should().Contain("missing query parameter 'key'");

        var view = await node.TryGetStateAsync();
        view!.NodeStates.Single().KeyValues.Should().BeEmpty("a rejected request changes nothing");
    }

    [Fact]
    public async Task MarkForDeletion_SetKey_LeavesATombstoneInTheJson()
    {
        await using var node = await StartSingleAsync();

        (await node.GetAsync("/set_kv/?key=k&value=v")).Status.Should().Be(HttpStatusCode.OK);
        var (status, body) = await node.GetAsync("/mark_for_deletion/?key=k");
        status.Should().Be(HttpStatusCode.OK);
        body.Should().MatchRegex("\"status\"\\s*:\\s*true");

        var view = await node.TryGetStateAsync();
        var state = view!.NodeStates.Single();
        state.KeyValues["k"].Should().Be(new ValueView(string.Empty, 2, "Delete"));
        state.MaxVersion.Should().Be(2);
        view.Json.Should().Contain("\n  \"cluster_id\": \"testing\"", "GET / is pretty-printed with two spaces");
    }

    [Theory]
    [InlineData("TERM")]
    [InlineData("INT")]
    public async Task StopSignal_RunningNode_LeavesGracefullyWithExitCode0(string signal)
    {
        if (OperatingSystem.IsWindows())
        {
            return; // No POSIX signal to send.
        }

        await using var node = await StartSingleAsync();
        await node.Process.SignalAsync(signal);

        var exitCode = await node.Process.WaitForExitAsync(s_exitTimeout);
        exitCode.Should().Be(0, node.Process.Describe());
        node.Process.StandardErrorText.Should().Contain("Stopping: leaving the cluster");
        node.Process.StandardErrorText.Should().Contain("left the cluster and stopped with the host");
    }

    [Fact]
    public async Task Health_SoloNode_IsHealthy_AndUnhealthyWhenItExpectsPeers()
    {
        await using var solo = await StartSingleAsync();
        var (status, body) = await solo.GetAsync("/health");
        status.Should().Be(HttpStatusCode.OK);
        body.Should().Be("Healthy");

        await using var lonely = await NodeProcess.StartAsync("lonely", (ulong)DateTimeOffset.UtcNow.ToUnixTimeSeconds(), ["--interval_ms", "100", "--min_live_peers", "1"]);
        (status, body) = await lonely.GetAsync("/health");
        status.Should().Be(HttpStatusCode.ServiceUnavailable);
        body.Should().Be("Unhealthy");
    }

    [Fact]
    public async Task Metrics_ServesThePrometheusTextFormat()
    {
        await using var node = await StartSingleAsync();

        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(10) };
        using var response = await http.GetAsync(new Uri($"http://{node.Address}/metrics"));
        var body = await response.Content.ReadAsStringAsync();

        response.StatusCode.Should().Be(HttpStatusCode.OK);
        response.Content.Headers.ContentType!.MediaType.Should().Be("text/plain");
        response.Content.Headers.ContentType.Parameters.Should().Contain(p => p.Name == "version" && p.Value == "0.0.4");
        body.Should().Contain("# TYPE target_info gauge").And.Contain("target_info{").And.Contain("telemetry_sdk_name=\"opentelemetry\"");

        // The node's own instruments (the Chitchat meter), labelled with its node id.
        body.Should().Contain("chitchat_node_id=\"solo\"");
        body.Should().MatchRegex("(?m)^chitchat_gossip_rounds_total\\{[^}]*\\} [1-9][0-9]*( \\d+)?$", "the node ran at least one gossip round");
        body.Should().MatchRegex("(?m)^chitchat_members\\{[^}]*chitchat_member_state=\"live\"[^}]*\\} 1( \\d+)?$", "the node counts itself live");
        body.Split('\n', StringSplitOptions.RemoveEmptyEntries).Should().OnlyContain(
            line => line.StartsWith('#') || System.Text.RegularExpressions.Regex.IsMatch(line, "^[a-zA-Z_:][a-zA-Z0-9_:]*(\\{.*\\})? \\S+( \\d+)?$"),
            "every line is a comment or a sample of the Prometheus text format");
    }

    [Fact]
    public async Task Start_AddressAlreadyInUse_ExitsWithCode1AndSaysWhy()
    {
        await using var first = await StartSingleAsync();

        var second = await CliTool.RunAsync(s_exitTimeout, null, "node", "--listen_addr", first.Address, "--node_id", "second");

        second.ExitCode.Should().Be(1, second.ToString());
        second.StandardError.Should().Contain("error: cannot start the chitchat node").And.Contain(first.Address);
    }

    [Theory]
    [InlineData("node", "--no_such_flag")]
    [InlineData("node", "--listen_addr", "127.0.0.1")]
    [InlineData("node", "--listen-addr", "not-an-address:10000")]
    [InlineData("node", "--interval_ms", "0")]
    [InlineData("node", "--interval_ms")]
    [InlineData("node", "--protocol_version", "2")]
    [InlineData("no-such-command")]
    public async Task BadCommandLine_PrintsUsageAndExitsWithCode2(params string[] args)
    {
        var result = await CliTool.RunAsync(s_exitTimeout, null, args);

        result.ExitCode.Should().Be(2, result.ToString());
        result.StandardError.Should().Contain("Usage:");
    }

    [Fact]
    public async Task ProtocolVersions_V0AndV1Processes_FormAClusterOverUdpAndShareKeys()
    {
        var generation = (ulong)DateTimeOffset.UtcNow.ToUnixTimeSeconds();
        await using var v0 = await NodeProcess.StartAsync("v0", generation, ["--interval_ms", "100"]);
        await using var v1 = await NodeProcess.StartAsync("v1", generation, ["--interval_ms", "100", "--protocol_version", "1", "--seed", v0.Address]);

        (await v1.GetAsync("/set_kv/?key=k&value=from-v1")).Status.Should().Be(HttpStatusCode.OK);
        (await v0.GetAsync("/set_kv/?key=k&value=from-v0")).Status.Should().Be(HttpStatusCode.OK);

        await Eventually.HoldsAsync(
            async () => (await v0.TryGetStateAsync())?.ValueOf("v1", "k") == "from-v1"
                && (await v1.TryGetStateAsync())?.ValueOf("v0", "k") == "from-v0",
            TimeSpan.FromSeconds(20),
            "each node has the other's key");
    }

    [Fact]
    public async Task Help_ListsTheCommands()
    {
        var result = await CliTool.RunAsync(s_exitTimeout, null, "--help");

        result.ExitCode.Should().Be(0, result.ToString());
        result.StandardOutput.Should().Contain("demo").And.Contain("node").And.Contain("decode").And.Contain("chitchat [command]");
    }

    private static Task<NodeProcess> StartSingleAsync() =>
        NodeProcess.StartAsync("solo", (ulong)DateTimeOffset.UtcNow.ToUnixTimeSeconds(), ["--interval_ms", "100"]);
}
