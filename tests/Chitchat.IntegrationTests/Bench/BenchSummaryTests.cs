using Chitchat.Cli.Bench;

namespace Chitchat.IntegrationTests.Bench;

/// <summary>The readable summary printed without <c>--json</c>.</summary>
public sealed class BenchSummaryTests
{
    [Fact]
    public void Lines_DetectionReached_NamesBothDetectionTimes()
    {
        var result = Result("detection");
        result.Reached = true;
        result.ConvergenceMs = 1_521;
        result.ConvergedNodes = 20;
        result.CrashedNode = "node_19";
        result.DetectionFirstMs = 2_675;
        result.DetectionAllMs = 2_974;
        result.DetectedBy = 19;

        var text = string.Join('\n', BenchSummary.Lines(result));

        text.Should().Contain("chitchat bench detection: 20 nodes over memory, gossip every 300 ms, protocol V1")
            .And.Contain("1,521 ms until every node saw all 20 live")
            .And.Contain("node_19 crashed; node_1 stopped listing it live after 2,675 ms")
            .And.Contain("every survivor after 2,974 ms")
            .And.Contain("goal reached");
    }

    [Fact]
    public void Lines_ConvergenceNotReached_SaysHowManyNodesConverged()
    {
        var result = Result("convergence");
        result.ConvergedNodes = 3;

        var text = string.Join('\n', BenchSummary.Lines(result));

        text.Should().Contain("NOT reached: 3 of 20 nodes saw all live within 30 s").And.Contain("goal NOT reached");
    }

    private static BenchResult Result(string scenario) => new()
    {
        Scenario = scenario,
        Nodes = 20,
        Transport = "memory",
        IntervalMs = 300,
        ProtocolVersion = 1,
        Drop = 0,
        TimeoutS = 30,
        ProcessorCount = 2,
        Runtime = "10.0.0",
        ServerGc = false,
    };
}
