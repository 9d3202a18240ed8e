using Chitchat.Cli.Bench;

namespace Chitchat.IntegrationTests.Bench;

/// <summary>
/// <c>chitchat bench scale</c>: the cluster sizes it measures, the per-size figures, and the summary of where real
/// time stops keeping up. Small clusters and short windows; no timing is asserted.
/// </summary>
public sealed class BenchScaleTests
{
    [Theory]
    [InlineData(250, 100, new[] { 100, 200, 250 })]
    [InlineData(300, 100, new[] { 100, 200, 300 })]
    [InlineData(7, 3, new[] { 3, 6, 7 })]
    public void Sizes_Scale_MultiplesOfTheStepThenTheLargest(int nodes, int step, int[] expected)
    {
        var options = new BenchOptions { Scenario = BenchScenario.Scale, NodeCount = nodes, Step = step };

        options.Validate().Should().BeNull();
        options.Sizes.Should().Equal(expected);
    }

    [Fact]
    public void Sizes_DefaultStep_HundredsUpToAThousandNodes()
    {
        new BenchOptions { Scenario = BenchScenario.Scale, NodeCount = 1_000 }.Sizes
            .Should().Equal(100, 200, 300, 400, 500, 600, 700, 800, 900, 1_000);
        new BenchOptions { Scenario = BenchScenario.Scale, NodeCount = 50 }.Sizes
            .Should().Equal(5, 10, 15, 20, 25, 30, 35, 40, 45, 50);
    }

    [Fact]
    public void Sizes_OtherScenarios_OnlyTheGivenCount()
    {
        new BenchOptions { Scenario = BenchScenario.Convergence, NodeCount = 300, Step = 100 }.Sizes.Should().Equal(300);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(11)]
    public void Validate_StepOutOfRange_NamesTheOption(int step)
    {
        var options = new BenchOptions { Scenario = BenchScenario.Scale, NodeCount = 10, Step = step };

        options.Validate().Should().Contain("--step");
    }

    [Fact]
    public void EffectiveDuration_ScaleDefaultsToTenSecondsPerStep()
    {
        new BenchOptions { Scenario = BenchScenario.Scale }.EffectiveDuration.Should().Be(TimeSpan.FromSeconds(10));
        new BenchOptions { Scenario = BenchScenario.Stability }.EffectiveDuration.Should().Be(TimeSpan.FromSeconds(30));
        new BenchOptions { Scenario = BenchScenario.Scale, Duration = TimeSpan.FromSeconds(2) }.EffectiveDuration.Should().Be(TimeSpan.FromSeconds(2));
    }

    [Fact]
    public async Task RunScaleAsync_SmallClusters_MeasuresEachSizeUntilOneFails()
    {
        var reported = new List<BenchResult>();
        var summary = await BenchRunner.RunScaleAsync(Options(nodes: 6, step: 3), reported.Add);

        summary.Steps.Should().Equal(reported, "each size is reported as soon as it is measured");
        summary.Steps.Select(step => step.Nodes).Should().Equal(new[] { 3, 6 }.Take(summary.Steps.Count));
        foreach (var step in summary.Steps)
        {
            step.Scenario.Should().Be("scale");
            step.DurationS.Should().Be(1);
            step.KeepsUp.Should().NotBeNull();
            step.Verdict.Should().NotBeNullOrEmpty();
            step.Reached.Should().Be(step.KeepsUp!.Value);
            if (step.ConvergenceMs is null)
            {
                continue;
            }

            // Ten rounds a second are scheduled; a node that gossips at all completes some in a second.
            step.RoundsPerSecPerNode.Should().BePositive().And.BeLessThan(20);
            step.RoundsOnSchedule.Should().BeApproximately(step.RoundsPerSecPerNode!.Value * 0.1, 0.001);
            step.FalseDeaths.Should().BeGreaterThanOrEqualTo(0);
            step.CpuCores.Should().BePositive();
            step.TimerLagMaxMs.Should().BeGreaterThanOrEqualTo(step.TimerLagMeanMs!.Value);
            step.DropsInWindow.Should().BeGreaterThanOrEqualTo(0);
            (step.Verdict == "keeps up").Should().Be(step.KeepsUp!.Value);
        }

        summary.Steps.Should().NotBeEmpty();
        summary.Steps.SkipLast(1).Where(step => step.KeepsUp != true).Should().BeEmpty("the sweep stops at the first size that fails");
        summary.KeepsUpTo.Should().Be(summary.Steps.LastOrDefault(step => step.KeepsUp == true)?.Nodes);
        if (summary.FirstFailureNodes is { } failed)
        {
            failed.Should().Be(summary.Steps[^1].Nodes);
            summary.FirstFailure.Should().Be(summary.Steps[^1].Verdict);
        }
        else
        {
            summary.Steps.Should().HaveCount(2);
            summary.KeepsUpTo.Should().Be(6);
        }

        summary.MaxNodes.Should().Be(6);
        summary.Step.Should().Be(3);
    }

    [Fact]
    public async Task RunScaleAsync_FirstSizeCannotConverge_StopsThereAndSaysWhy()
    {
        var summary = await BenchRunner.RunScaleAsync(Options(nodes: 40, step: 20) with { Timeout = TimeSpan.FromMilliseconds(50) });

        summary.Steps.Should().ContainSingle();
        summary.KeepsUpTo.Should().BeNull();
        summary.FirstFailureNodes.Should().Be(20);
        summary.FirstFailure.Should().StartWith("did not converge within");
        summary.Steps[0].KeepsUp.Should().BeFalse();
        summary.Steps[0].RoundsPerSecPerNode.Should().BeNull("a cluster that did not converge is not observed");

        var text = string.Join('\n', BenchSummary.Lines(summary));
        text.Should().Contain("chitchat bench scale: up to 40 nodes over memory in steps of 20")
            .And.Contain("real time does not keep up even with 20 nodes: did not converge within");
    }

    [Fact]
    public async Task RunScaleAsync_OtherScenario_ThrowsArgumentException()
    {
        var run = () => BenchRunner.RunScaleAsync(Options(nodes: 6, step: 3) with { Scenario = BenchScenario.Stability });

        await run.Should().ThrowAsync<ArgumentException>();
    }

    [Fact]
    public void Lines_Summary_TableAndWhereRealTimeStops()
    {
        var keeps = Step(100, keepsUp: true, "keeps up");
        var fails = Step(200, keepsUp: false, "gossip rounds at 51 % of their schedule");
        var summary = new BenchScaleSummary
        {
            Transport = "memory",
            IntervalMs = 300,
            ProtocolVersion = 0,
            MaxNodes = 1_000,
            Step = 100,
            DurationS = 10,
            KeepsUpTo = 100,
            FirstFailureNodes = 200,
            FirstFailure = fails.Verdict,
            Steps = [keeps, fails],
        };

        var lines = BenchSummary.Lines(summary).ToList();

        lines[0].Should().Be("chitchat bench scale: up to 1000 nodes over memory in steps of 100, gossip every 300 ms, protocol V0, each cluster observed for 10 s once converged");
        lines.Should().Contain(line => line.Contains("   100 ") && line.Contains("100 %") && line.EndsWith("keeps up", StringComparison.Ordinal));
        lines.Should().Contain(line => line.Contains("   200 ") && line.Contains("51 %") && line.EndsWith("gossip rounds at 51 % of their schedule", StringComparison.Ordinal));
        lines.Should().Contain("  result  real time keeps up to 100 nodes; at 200 it does not: gossip rounds at 51 % of their schedule");
    }

    private static BenchResult Step(int nodes, bool keepsUp, string verdict) => new()
    {
        Scenario = "scale",
        Nodes = nodes,
        Transport = "memory",
        IntervalMs = 300,
        ProtocolVersion = 0,
        Drop = 0,
        TimeoutS = 30,
        DurationS = 10,
        ConvergenceMs = 1_500,
        RoundsPerSecPerNode = keepsUp ? 3.333 : 1.7,
        RoundsOnSchedule = keepsUp ? 1.0 : 0.51,
        FalseDeaths = 0,
        CpuCores = 0.5,
        TimerLagMaxMs = 12,
        GcPauseMs = 40,
        DropsInWindow = 0,
        KeepsUp = keepsUp,
        Verdict = verdict,
        Reached = keepsUp,
        ProcessorCount = 2,
        Runtime = "10.0",
        ServerGc = true,
    };

    private static BenchOptions Options(int nodes, int step) => new()
    {
        Scenario = BenchScenario.Scale,
        NodeCount = nodes,
        Step = step,
        GossipInterval = TimeSpan.FromMilliseconds(100),
        Duration = TimeSpan.FromSeconds(1),
        Timeout = TimeSpan.FromSeconds(20),
    };
}
