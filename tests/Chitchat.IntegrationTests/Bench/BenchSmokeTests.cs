using Chitchat.Cli.Bench;

namespace Chitchat.IntegrationTests.Bench;

/// <summary>
/// Smoke tests of <c>chitchat bench</c> through its in-process entry point: small clusters, short windows, a
/// 100 ms gossip interval. They check that each scenario ends, reports its figures and that the figures are
/// plausible; they assert no timing (the performance targets are measured by hand, docs/PERFORMANCE.md).
/// </summary>
public sealed class BenchSmokeTests
{
    private static readonly TimeSpan s_interval = TimeSpan.FromMilliseconds(100);

    [Fact]
    public async Task RunAsync_Convergence_EveryNodeSeesAllNodes()
    {
        var result = await BenchRunner.RunAsync(Options(BenchScenario.Convergence, nodes: 5));

        CheckCommon(result, "convergence", nodes: 5);
        result.Reached.Should().BeTrue();
        result.ConvergedNodes.Should().Be(5);
        result.ConvergenceMs.Should().BePositive().And.BeLessThanOrEqualTo(result.ElapsedMs);
        result.SpawnMs.Should().BeInRange(0, result.ConvergenceMs!.Value);
        result.DetectionFirstMs.Should().BeNull();
        result.BytesPerSecPerNode.Should().BeNull();
    }

    [Fact]
    public async Task RunAsync_Detection_EverySurvivorStopsListingTheCrashedNode()
    {
        var result = await BenchRunner.RunAsync(Options(BenchScenario.Detection, nodes: 4));

        CheckCommon(result, "detection", nodes: 4);
        result.Reached.Should().BeTrue();
        result.CrashedNode.Should().Be("node_3");
        result.DetectedBy.Should().Be(3);
        result.DetectionFirstMs.Should().BePositive();
        result.DetectionAllMs.Should().BeGreaterThanOrEqualTo(result.DetectionFirstMs!.Value)
            .And.BeLessThan((long)(result.TimeoutS * 1000));
    }

    [Fact]
    public async Task RunAsync_BandwidthInMemory_CountsTheTrafficOfTheWindow()
    {
        var result = await BenchRunner.RunAsync(Options(BenchScenario.Bandwidth, nodes: 5) with { Window = TimeSpan.FromSeconds(1) });

        CheckCommon(result, "bandwidth", nodes: 5);
        result.WindowS.Should().Be(1);
        CheckBandwidth(result);
    }

    [Fact]
    public async Task RunAsync_BandwidthOverUdp_CountsWithTheDecorator()
    {
        var result = await BenchRunner.RunAsync(Options(BenchScenario.Bandwidth, nodes: 3) with
        {
            Transport = BenchTransportKind.Udp,
            Window = TimeSpan.FromSeconds(1),
        });

        CheckCommon(result, "bandwidth", nodes: 3);
        result.Transport.Should().Be("udp");
        CheckBandwidth(result);
    }

    [Fact]
    public async Task RunAsync_StabilityWithDefaultDrop_CountsFalseDeaths()
    {
        var result = await BenchRunner.RunAsync(Options(BenchScenario.Stability, nodes: 4) with
        {
            Duration = TimeSpan.FromSeconds(2),
            Seed = 7,
        });

        CheckCommon(result, "stability", nodes: 4);
        result.Drop.Should().Be(BenchOptions.StabilityDefaultDrop);
        result.Seed.Should().Be(7);
        result.DurationS.Should().Be(2);
        result.Reached.Should().BeTrue();
        result.FalseDeaths.Should().BeGreaterThanOrEqualTo(0);
        result.FalseDeathSubjects.Should().BeInRange(0, 4);
    }

    [Fact]
    public async Task RunAsync_Cpu_ReportsProcessorTimeAllocationsAndHeap()
    {
        var result = await BenchRunner.RunAsync(Options(BenchScenario.Cpu, nodes: 4) with { Duration = TimeSpan.FromSeconds(1) });

        CheckCommon(result, "cpu", nodes: 4);
        result.Reached.Should().BeTrue();
        result.CpuCores.Should().BePositive().And.BeLessThanOrEqualTo(Environment.ProcessorCount + 0.5);
        result.CpuMsPerNodeSec.Should().BePositive().And.BeLessThan(1000.0 * Environment.ProcessorCount);
        result.AllocBytesPerNodeSec.Should().BePositive();
        result.GcCount.Should().NotBeNull();
        result.GcCount!.Gen0.Should().BeGreaterThanOrEqualTo(result.GcCount.Gen1);
        result.GcCount.Gen1.Should().BeGreaterThanOrEqualTo(result.GcCount.Gen2);
        result.HeapBytes.Should().BePositive();
        result.WorkingSetBytes.Should().BePositive();
        result.TimerLagMeanMs.Should().BeGreaterThanOrEqualTo(0).And.BeLessThanOrEqualTo(result.TimerLagMaxMs!.Value);
    }

    [Fact]
    public async Task RunAsync_ConvergenceBoundTooShort_EndsWithoutReachingTheGoal()
    {
        var result = await BenchRunner.RunAsync(Options(BenchScenario.Detection, nodes: 20) with { Timeout = TimeSpan.FromMilliseconds(50) });

        result.Reached.Should().BeFalse();
        result.ConvergenceMs.Should().BeNull();
        result.ConvergedNodes.Should().BeInRange(0, 19);
        result.CrashedNode.Should().BeNull("the crash only happens after convergence");
        result.ElapsedMs.Should().BePositive();
    }

    [Fact]
    public async Task RunAsync_DetectionWithTwoNodes_ThrowsArgumentException()
    {
        var run = () => BenchRunner.RunAsync(Options(BenchScenario.Detection, nodes: 2));

        await run.Should().ThrowAsync<ArgumentException>().WithMessage("*--nodes*");
    }

    private static BenchOptions Options(BenchScenario scenario, int nodes) => new()
    {
        Scenario = scenario,
        NodeCount = nodes,
        GossipInterval = s_interval,
        Timeout = TimeSpan.FromSeconds(20),
    };

    private static void CheckCommon(BenchResult result, string scenario, int nodes)
    {
        result.Scenario.Should().Be(scenario);
        result.Nodes.Should().Be(nodes);
        result.IntervalMs.Should().Be(100);
        result.TimeoutS.Should().Be(20);
        result.ProcessorCount.Should().Be(Environment.ProcessorCount);
        result.Runtime.Should().NotBeNullOrEmpty();
        result.ElapsedMs.Should().BePositive();
    }

    private static void CheckBandwidth(BenchResult result)
    {
        result.Reached.Should().BeTrue();

        // Each node starts about 3 handshakes of 3 messages per round and answers as many: at 10 rounds a
        // second, tens of messages per node and second, each at least a header and a digest.
        result.MessagesPerSecPerNode.Should().BePositive().And.BeLessThan(500);
        result.BytesPerMessage.Should().BeInRange(10, 65_507);
        result.BytesPerSecPerNode.Should().BeApproximately(result.MessagesPerSecPerNode!.Value * result.BytesPerMessage!.Value, result.BytesPerSecPerNode!.Value * 0.01 + 1);
    }
}
