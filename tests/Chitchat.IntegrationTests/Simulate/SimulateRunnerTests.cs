using System.Text.Json;
using Chitchat.Cli.Simulate;
using Chitchat.IntegrationTests.Cli;

namespace Chitchat.IntegrationTests.Simulate;

/// <summary>
/// <c>chitchat simulate</c> through its in-process entry point and as a process: small clusters in virtual time, so
/// the runs take a fraction of a second of processor time and their figures are exact (same seed, same run).
/// </summary>
public sealed class SimulateRunnerTests
{
    [Fact]
    public void Run_Converge_ReportsRoundsBandwidthAndAHash()
    {
        var result = SimulateRunner.Run(Options(SimulateScenario.Converge, nodes: 20), static _ => { }, CancellationToken.None);

        result.Scenario.Should().Be("converge");
        result.Nodes.Should().Be(20);
        result.ConvergedAtEnd.Should().BeTrue();
        result.ConvergenceMs.Should().BeInRange(1, 20_000);
        result.ConvergenceRounds.Should().BePositive().And.BeLessThan(2 * Math.Log(20, 4) + 2);
        result.BytesPerSecPerNode.Should().BePositive();
        result.FalseDeaths.Should().Be(0);
        result.FirstFalseDeaths.Should().BeNull("there is no false death to list");
        result.DetectionMs.Should().BeNull();
        result.TraceHash.Should().MatchRegex("^[0-9a-f]{16}$");
    }

    [Fact]
    public void Run_SameSeed_SameTraceHash_OtherSeed_OtherHash()
    {
        var first = SimulateRunner.Run(Options(SimulateScenario.Converge, nodes: 12), static _ => { }, CancellationToken.None);
        var again = SimulateRunner.Run(Options(SimulateScenario.Converge, nodes: 12) with { Threads = 1 }, static _ => { }, CancellationToken.None);
        var other = SimulateRunner.Run(Options(SimulateScenario.Converge, nodes: 12) with { Seed = 8 }, static _ => { }, CancellationToken.None);

        again.TraceHash.Should().Be(first.TraceHash, "the run depends on the seed only, not on the threads");
        again.ConvergenceMs.Should().Be(first.ConvergenceMs);
        other.TraceHash.Should().NotBe(first.TraceHash);
    }

    [Fact]
    public void Run_StopWhenMeasured_EndsAfterTheWindowWithTheSameFiguresAndTrace()
    {
        var options = Options(SimulateScenario.Converge, nodes: 10) with { Duration = TimeSpan.FromSeconds(60), Window = TimeSpan.FromSeconds(2) };

        var full = SimulateRunner.Run(options, static _ => { }, CancellationToken.None);
        var stopped = SimulateRunner.Run(options with { StopWhenMeasured = true }, static _ => { }, CancellationToken.None);
        var again = SimulateRunner.Run(options with { StopWhenMeasured = true }, static _ => { }, CancellationToken.None);

        full.DurationS.Should().Be(60);
        stopped.DurationS.Should().BeApproximately((stopped.ConvergenceMs!.Value / 1_000) + 2, 0.001, "the run ends with the bandwidth window");
        stopped.ConvergenceMs.Should().Be(full.ConvergenceMs);
        stopped.BytesPerSecPerNode.Should().Be(full.BytesPerSecPerNode, "the first part of the run is the same run");
        stopped.ConvergedAtEnd.Should().BeTrue();
        stopped.TraceHash.Should().Be(again.TraceHash).And.NotBe(full.TraceHash, "the shorter run delivered fewer datagrams");
    }

    [Fact]
    public void Run_Crash_TheLastNodeIsSeenDeadByAll()
    {
        var result = SimulateRunner.Run(Options(SimulateScenario.Crash, nodes: 10) with { Duration = TimeSpan.FromSeconds(60) }, static _ => { }, CancellationToken.None);

        result.DetectionMs.Should().BePositive().And.BeLessThan(60_000);
        result.FalseDeaths.Should().Be(0);
    }

    [Fact]
    public void Run_HeavyLoss_ListsTheFirstFalseDeathsAndCountsThemAll()
    {
        var result = SimulateRunner.Run(
            Options(SimulateScenario.Converge, nodes: 10) with { Loss = 0.85, Duration = TimeSpan.FromSeconds(60) }, static _ => { }, CancellationToken.None);

        result.FalseDeaths.Should().BePositive("85 % loss makes live nodes miss many heartbeats");
        result.FirstFalseDeaths.Should().NotBeNull();
        result.FirstFalseDeaths!.Count.Should().Be((int)Math.Min(result.FalseDeaths, SimulateRunner.ListedFalseDeaths));
        result.FirstFalseDeaths.Should().OnlyContain(death => death.Observer != death.Subject
            && death.Observer.StartsWith("node-", StringComparison.Ordinal)
            && death.AtMs > 0 && death.AtMs <= 60_000);
        result.FirstFalseDeaths.Select(static death => death.AtMs).Should().BeInAscendingOrder();
    }

    [Fact]
    public async Task SimulateJson_PrintsOneObjectWithTheFirstFalseDeaths()
    {
        var run = await CliTool.RunAsync(TimeSpan.FromSeconds(60), stdin: null,
            "simulate", "--nodes", "10", "--seed", "3", "--loss", "0.85", "--duration_s", "60", "--json");

        run.ExitCode.Should().Be(0, run.StandardError);
        var lines = run.StandardOutput.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        lines.Should().ContainSingle();
        using var json = JsonDocument.Parse(lines[0]);
        var root = json.RootElement;
        root.GetProperty("nodes").GetInt32().Should().Be(10);
        root.GetProperty("trace_hash").GetString().Should().MatchRegex("^[0-9a-f]{16}$");
        var falseDeaths = root.GetProperty("false_deaths").GetInt64();
        falseDeaths.Should().BePositive();
        var listed = root.GetProperty("first_false_deaths");
        listed.GetArrayLength().Should().Be((int)Math.Min(falseDeaths, SimulateRunner.ListedFalseDeaths));
        listed[0].GetProperty("observer").GetString().Should().StartWith("node-");
        listed[0].GetProperty("subject").GetString().Should().StartWith("node-");
        listed[0].GetProperty("at_ms").GetDouble().Should().BePositive();
    }

    private static SimulateOptions Options(SimulateScenario scenario, int nodes) => new()
    {
        Scenario = scenario,
        NodeCount = nodes,
        Seed = 7,
        Duration = TimeSpan.FromSeconds(30),
        Window = TimeSpan.FromSeconds(5),
        Threads = 2,
    };
}
