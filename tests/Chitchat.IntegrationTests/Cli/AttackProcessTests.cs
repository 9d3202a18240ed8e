using System.Net;
using System.Text.Json;

namespace Chitchat.IntegrationTests.Cli;

/// <summary><c>chitchat attack</c> against a <c>chitchat node</c> process on loopback, with small counts.</summary>
public sealed class AttackProcessTests
{
    private static readonly TimeSpan s_timeout = TimeSpan.FromSeconds(60);

    [Fact]
    public async Task EmptySyn_CountsRepliesAndTheirBytes_TargetStaysLiveToThePeer()
    {
        await using var target = await StartTargetAsync();
        (await target.GetAsync("/set_kv/?key=k&value=" + new string('v', 500))).Status.Should().Be(HttpStatusCode.OK);

        var report = await AttackAsync(target, "empty-syn", "--count", "20", "--rate", "100");

        report.GetProperty("kind").GetString().Should().Be("empty-syn");
        report.GetProperty("datagrams_sent").GetInt64().Should().Be(20);
        report.GetProperty("bytes_sent").GetInt64().Should().Be(20 * 15, "an empty-digest Syn of cluster 'testing' is 15 bytes");
        var replies = report.GetProperty("replies_received").GetInt64();
        var replyBytes = report.GetProperty("reply_bytes").GetInt64();
        replies.Should().BeInRange(1, 20);
        replyBytes.Should().BeGreaterThan(0);
        report.GetProperty("amplification_ratio").GetDouble().Should().BeApproximately(replyBytes / 300.0, 0.001);
        report.GetProperty("target_live_to_peer_before").GetBoolean().Should().BeTrue();
        report.GetProperty("target_live_to_peer_after").GetBoolean().Should().BeTrue();
        if (OperatingSystem.IsLinux())
        {
            report.GetProperty("target_pid").GetInt32().Should().Be(target.Process.Id, "the target is found by its UDP port");
            report.GetProperty("rss_before_bytes").GetInt64().Should().BePositive();
            report.GetProperty("rss_peak_bytes").GetInt64().Should().BeGreaterThanOrEqualTo(report.GetProperty("rss_before_bytes").GetInt64());
            report.GetProperty("rss_after_bytes").GetInt64().Should().BePositive();
        }
    }

    [Fact]
    public async Task Garbage_NoReply_TargetStaysLive()
    {
        await using var target = await StartTargetAsync();

        var report = await AttackAsync(target, "garbage", "--count", "200", "--rate", "1000");

        report.GetProperty("datagrams_sent").GetInt64().Should().Be(200);
        report.GetProperty("replies_received").GetInt64().Should().Be(0, "junk gets no answer");
        report.GetProperty("target_live_to_peer_after").GetBoolean().Should().BeTrue();
        (await target.TryGetStateAsync()).Should().NotBeNull("the node still serves its API");
    }

    [Fact]
    public async Task ForgedSelf_ReportsWhetherTheForgedKeyReachedTheTargetsOwnState()
    {
        await using var target = await StartTargetAsync();

        var report = await AttackAsync(target, "forged-self", "--count", "5", "--no_peer");

        report.GetProperty("datagrams_sent").GetInt64().Should().Be(5);
        var forged = report.GetProperty("self_state_forged").GetBoolean();
        var view = await target.TryGetStateAsync();
        forged.Should().Be(view!.NodeStates.Single(state => state.Id.NodeId == target.NodeId).KeyValues.ContainsKey("forged_by_attack"));
        report.TryGetProperty("target_live_to_peer_after", out _).Should().BeFalse("--no_peer watches nothing");
    }

    [Fact]
    public async Task DurationBound_StopsBeforeTheCount()
    {
        await using var target = await StartTargetAsync();

        var report = await AttackAsync(target, "unsolicited-synack", "--count", "1000000", "--rate", "50", "--duration_s", "1", "--no_peer");

        report.GetProperty("datagrams_sent").GetInt64().Should().BeInRange(1, 80);
        report.GetProperty("send_seconds").GetDouble().Should().BeLessThan(3);
    }

    [Theory]
    [InlineData("--target", "10.1.2.3:10000")]
    [InlineData("--target", "127.0.0.1:10000", "--peer", "192.168.0.1:10000")]
    public async Task NonLoopbackAddress_RefusedWithExitCode2(params string[] args)
    {
        var result = await CliTool.RunAsync(s_timeout, null, ["attack", "--kind", "garbage", .. args]);

        result.ExitCode.Should().Be(2, result.ToString());
        result.StandardError.Should().Contain("only sends to loopback addresses");
    }

    private static Task<NodeProcess> StartTargetAsync() =>
        NodeProcess.StartAsync("target", (ulong)DateTimeOffset.UtcNow.ToUnixTimeSeconds(), ["--interval_ms", "100"]);

    private static async Task<JsonElement> AttackAsync(NodeProcess target, string kind, params string[] args)
    {
        var result = await CliTool.RunAsync(
            s_timeout, null, ["attack", "--target", target.Address, "--kind", kind, "--settle_s", "0.5", .. args]);
        result.ExitCode.Should().Be(0, result.ToString());
        using var document = JsonDocument.Parse(result.StandardOutput);
        return document.RootElement.Clone();
    }
}
