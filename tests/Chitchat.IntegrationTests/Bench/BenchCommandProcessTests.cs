using System.Text.Json;
using Chitchat.IntegrationTests.Cli;

namespace Chitchat.IntegrationTests.Bench;

/// <summary>Runs the built <c>chitchat</c> tool as a process and checks what <c>bench --json</c> prints.</summary>
public sealed class BenchCommandProcessTests
{
    private static readonly TimeSpan s_processTimeout = TimeSpan.FromSeconds(60);

    [Fact]
    public async Task BenchDetectionJson_PrintsOneSnakeCaseObjectWithEveryFigure()
    {
        var (exitCode, stdout, stderr) = await RunToolAsync("bench", "detection", "--nodes", "3", "--interval-ms", "100", "--json", "--seed", "5", "--protocol_version", "1");

        exitCode.Should().Be(0, stderr);
        var lines = stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        lines.Should().ContainSingle("one JSON object per run");
        using var json = JsonDocument.Parse(lines[0]);
        var root = json.RootElement;
        root.GetProperty("scenario").GetString().Should().Be("detection");
        root.GetProperty("nodes").GetInt32().Should().Be(3);
        root.GetProperty("transport").GetString().Should().Be("memory");
        root.GetProperty("interval_ms").GetDouble().Should().Be(100);
        root.GetProperty("protocol_version").GetInt32().Should().Be(1);
        root.GetProperty("drop").GetDouble().Should().Be(0);
        root.GetProperty("seed").GetInt32().Should().Be(5);
        root.GetProperty("reached").GetBoolean().Should().BeTrue();
        root.GetProperty("convergence_ms").GetInt64().Should().BePositive();
        root.GetProperty("detection_first_ms").GetInt64().Should().BePositive();
        root.GetProperty("detection_all_ms").GetInt64().Should().BeGreaterThanOrEqualTo(root.GetProperty("detection_first_ms").GetInt64());
        root.TryGetProperty("bytes_per_sec_per_node", out _).Should().BeFalse("the detection scenario does not measure bandwidth");
        stderr.Should().Contain("converged");
    }

    [Fact]
    public async Task BenchScaleJson_OneObjectPerSizeThenTheSummary()
    {
        var (exitCode, stdout, stderr) = await RunToolAsync("bench", "scale", "--nodes", "4", "--step", "2", "--interval-ms", "100", "--duration_s", "1", "--json");

        exitCode.Should().Be(0, stderr);
        var lines = stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        lines.Should().HaveCountGreaterThanOrEqualTo(2).And.HaveCountLessThanOrEqualTo(3);
        for (var i = 0; i < lines.Length - 1; i++)
        {
            using var step = JsonDocument.Parse(lines[i]);
            step.RootElement.GetProperty("scenario").GetString().Should().Be("scale");
            step.RootElement.GetProperty("nodes").GetInt32().Should().Be(2 * (i + 1));
            step.RootElement.GetProperty("verdict").GetString().Should().NotBeNullOrEmpty();
            step.RootElement.GetProperty("keeps_up").ValueKind.Should().BeOneOf(JsonValueKind.True, JsonValueKind.False);
        }

        using var summary = JsonDocument.Parse(lines[^1]);
        var root = summary.RootElement;
        root.GetProperty("scenario").GetString().Should().Be("scale_summary");
        root.GetProperty("max_nodes").GetInt32().Should().Be(4);
        root.GetProperty("step").GetInt32().Should().Be(2);
        root.GetProperty("duration_s").GetDouble().Should().Be(1);
        root.TryGetProperty("steps", out _).Should().BeFalse("each size is its own line");
        stderr.Should().Contain("scale: 2 nodes");
    }

    [Fact]
    public async Task BenchScaleBadStep_ExitsWithUsageError()
    {
        var (exitCode, stdout, stderr) = await RunToolAsync("bench", "scale", "--nodes", "10", "--step", "20");

        exitCode.Should().Be(2);
        stdout.Should().BeEmpty();
        stderr.Should().Contain("--step");
    }

    [Fact]
    public async Task BenchBadProtocolVersion_ExitsWithUsageError()
    {
        var (exitCode, _, stderr) = await RunToolAsync("bench", "bandwidth", "--protocol_version", "2");

        exitCode.Should().Be(2);
        stderr.Should().Contain("'2' is not a protocol version");
    }

    [Fact]
    public async Task BenchBadDrop_ExitsWithUsageError()
    {
        var (exitCode, stdout, stderr) = await RunToolAsync("bench", "bandwidth", "--drop", "1.5");

        exitCode.Should().Be(2);
        stdout.Should().BeEmpty();
        stderr.Should().Contain("--drop");
    }

    private static async Task<(int ExitCode, string Stdout, string Stderr)> RunToolAsync(params string[] args)
    {
        var result = await CliTool.RunAsync(s_processTimeout, stdin: null, args);
        return (result.ExitCode, result.StandardOutput, result.StandardError);
    }
}
