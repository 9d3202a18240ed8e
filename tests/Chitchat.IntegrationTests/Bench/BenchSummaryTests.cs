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
    public void Lines_KernelDrops_ReportedOnlyWhenKnown()
    {
        var result = Result("convergence");
        string.Join('\n', BenchSummary.Lines(result)).Should().NotContain("kernel drops");

        result.KernelDrops = 1_234;

        string.Join('\n', BenchSummary.Lines(result)).Should().Contain("kernel drops     1,234 datagrams dropped by the operating system");
    }

    [Fact]
    public void KernelUdpDrops_SumDrops_CountsOnlyTheGivenSockets()
    {
        string[] table =
        [
            "   sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode ref pointer drops",
            " 6872: 0100007F:B952 00000000:0000 07 00000000:00000000 00:00000000 00000000     0        0 2371508 2 000000008f9714ce 17",
            "13532: 0100007F:D356 00000000:0000 07 00000000:00000000 00:00000000 00000000     0        0 2371504 2 000000004016f6a0 5",
            "13533: 0100007F:D357 00000000:0000 07 00000000:00000000 00:00000000 00000000     0        0 9999999 2 000000004016f6a0 1000",
            "garbage line",
        ];

        KernelUdpDrops.SumDrops(table, new HashSet<long> { 2_371_508, 2_371_504 }).Should().Be(22);
        KernelUdpDrops.SumDrops(table, new HashSet<long>()).Should().Be(0);
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
