using Chitchat.FailureDetection;
using Microsoft.Extensions.Time.Testing;

namespace Chitchat.Tests.FailureDetection;

// TG1–TG5 are ports of the chitchat failure_detector.rs tests; deadlines are in FailureDetectorDeadlineTests.
public sealed class FailureDetectorTests
{
    private static readonly ChitchatId s_node1 = ChitchatId.ForLocalTest(10_001);
    private static readonly ChitchatId s_node2 = ChitchatId.ForLocalTest(10_002);
    private static readonly ChitchatId s_node3 = ChitchatId.ForLocalTest(10_003);

    private readonly FakeTimeProvider _time = new();

    [Fact]
    public void JoiningMembers_DeadThenLive_CostOneSmallRecordEach()
    {
        // Every node tracks every member, so a cluster of N nodes holds N² of these records. A member goes through
        // the dead set while it joins (one heartbeat is not enough to be live), then becomes live; neither verdict
        // may cost a table of its own. Allocation includes the table's growth: 270 bytes per member, 541 when the
        // verdicts had tables of their own and each window was two objects with 64-bit intervals.
        var ids = Enumerable.Range(20_000, 1_000).Select(ChitchatId.ForLocalTest).ToArray();
        FailureDetector? detector = null;
        var bytes = AllocationMeter.Minimum(() =>
        {
            detector = CreateDetector();
            foreach (var id in ids)
            {
                detector.ReportHeartbeat(id);
                detector.UpdateNodeLiveness(id);
            }

            _time.Advance(TimeSpan.FromSeconds(1));
            foreach (var id in ids)
            {
                detector.ReportHeartbeat(id);
                detector.UpdateNodeLiveness(id);
            }
        });

        detector!.LiveNodeCount.Should().Be(ids.Length);
        detector.DeadNodeCount.Should().Be(0);
        detector.LiveNodes.Should().BeEquivalentTo(ids);
        (bytes / ids.Length).Should().BeLessThan(350);
    }

    // TG1 test_failure_detector_does_not_see_a_node_as_alive_with_a_single_heartbeat
    [Fact]
    public void UpdateNodeLiveness_SingleHeartbeat_NodeIsDead()
    {
        var detector = CreateDetector();

        detector.ReportHeartbeat(s_node1);
        detector.UpdateNodeLiveness(s_node1);

        detector.DeadNodes.Should().Equal(s_node1);
        detector.LiveNodes.Should().BeEmpty();
        detector.Phi(s_node1).Should().BeNull();
    }

    // TG2 test_failure_detector
    [Fact]
    public void UpdateNodeLiveness_RandomHeartbeatsThenSilence_LiveThenDeadThenGarbageCollected()
    {
        var random = new Random(20_240_601);
        var detector = CreateDetector();
        ChitchatId[] nodes = [s_node1, s_node2, s_node3];
        for (var i = 0; i <= 2000; i++)
        {
            _time.Advance(TimeSpan.FromSeconds(random.Next(1, 3)));
            detector.ReportHeartbeat(nodes[random.Next(nodes.Length)]);
        }

        UpdateAll(detector, nodes);
        detector.LiveNodes.Select(id => id.NodeId).Should().BeEquivalentTo("node-10001", "node-10002", "node-10003");
        detector.GarbageCollect().Should().BeEmpty();

        // Stop reporting heartbeats.
        _time.Advance(TimeSpan.FromSeconds(50));
        UpdateAll(detector, nodes);
        detector.DeadNodes.Select(id => id.NodeId).Should().BeEquivalentTo("node-10001", "node-10002", "node-10003");
        detector.LiveNodes.Should().BeEmpty();
        detector.GarbageCollect().Should().BeEmpty();

        // Wait for the dead node grace period.
        _time.Advance(TimeSpan.FromHours(25));
        var collected = detector.GarbageCollect();

        detector.LiveNodes.Should().BeEmpty();
        detector.DeadNodes.Should().BeEmpty();
        collected.Select(id => id.NodeId).Should().BeEquivalentTo("node-10001", "node-10002", "node-10003");
        nodes.Should().AllSatisfy(id => detector.HasSamplingWindow(id).Should().BeFalse());
    }

    // TG3 test_failure_detector_node_state_from_live_to_down_to_live
    [Fact]
    public void UpdateNodeLiveness_LiveThenSilentThenResumed_LiveDeadLive()
    {
        var random = new Random(7);
        var detector = CreateDetector();
        for (var i = 0; i <= 2000; i++)
        {
            _time.Advance(TimeSpan.FromSeconds(random.Next(1, 3)));
            detector.ReportHeartbeat(s_node1);
        }

        detector.UpdateNodeLiveness(s_node1);
        detector.LiveNodes.Should().Equal(s_node1);

        _time.Advance(TimeSpan.FromSeconds(20));
        detector.UpdateNodeLiveness(s_node1);
        detector.LiveNodes.Should().BeEmpty();
        detector.IsDead(s_node1).Should().BeTrue();

        for (var i = 0; i <= 500; i++)
        {
            _time.Advance(TimeSpan.FromSeconds(random.Next(1, 3)));
            detector.ReportHeartbeat(s_node1);
        }

        detector.UpdateNodeLiveness(s_node1);
        detector.LiveNodes.Should().Equal(s_node1);
        detector.DeadNodes.Should().BeEmpty();

        // The first interval after the silence (20 s + 1..2 s) exceeded max_interval and was dropped.
        detector.TryGetLiveness(s_node1, out var liveness).Should().BeTrue();
        liveness.SampleCount.Should().Be(500);
    }

    // TG4 test_failure_detector_node_state_additive_smoothing_predominant_in_the_beginning
    [Fact]
    public void UpdateNodeLiveness_FewShortIntervals_PriorDominatesTheMean()
    {
        var detector = CreateDetector();
        detector.ReportHeartbeat(s_node1);
        _time.Advance(TimeSpan.FromSeconds(1));
        for (var i = 0; i < 5; i++)
        {
            _time.Advance(TimeSpan.FromMilliseconds(200));
            detector.ReportHeartbeat(s_node1);
        }

        // Intervals 1.2, 0.2 × 4: mean = (2.0 + 5 × 5.0) / (5 + 5) = 2.7 s.
        _time.Advance(TimeSpan.FromSeconds(6));
        detector.Phi(s_node1)!.Value.Should().BeApproximately(6.0 / 2.7, 1e-12);
        detector.UpdateNodeLiveness(s_node1);
        detector.LiveNodes.Should().Equal(s_node1);

        _time.Advance(TimeSpan.FromSeconds(40));
        detector.UpdateNodeLiveness(s_node1);
        detector.LiveNodes.Should().BeEmpty();
    }

    // TG5 test_failure_detector_node_state_additive_smoothing_effect_fades_off
    [Fact]
    public void UpdateNodeLiveness_ManyShortIntervals_PriorFadesAndSixSecondsIsDead()
    {
        var detector = CreateDetector();
        detector.ReportHeartbeat(s_node1);
        for (var i = 0; i < 1000; i++)
        {
            _time.Advance(TimeSpan.FromMilliseconds(200));
            detector.ReportHeartbeat(s_node1);
        }

        _time.Advance(TimeSpan.FromSeconds(6));
        var expectedMean = ((1000 * 0.2) + 25.0) / 1005.0; // ≈ 0.224 s
        detector.Phi(s_node1)!.Value.Should().BeApproximately(6.0 / expectedMean, 1e-9);
        detector.UpdateNodeLiveness(s_node1);

        detector.LiveNodes.Should().BeEmpty();
        detector.IsDead(s_node1).Should().BeTrue();
    }

    [Fact]
    public void UpdateNodeLiveness_UnknownNode_DeadWithoutWindow()
    {
        var detector = CreateDetector();

        detector.UpdateNodeLiveness(s_node1);

        detector.IsDead(s_node1).Should().BeTrue();
        detector.IsLive(s_node1).Should().BeFalse();
        detector.HasSamplingWindow(s_node1).Should().BeFalse();
    }

    [Fact]
    public void Constructor_NewDetector_KnowsNoNode()
    {
        var detector = CreateDetector();

        detector.LiveNodes.Should().BeEmpty();
        detector.DeadNodes.Should().BeEmpty();
        detector.ScheduledForDeletionNodes.Should().BeEmpty();
        detector.Phi(s_node1).Should().BeNull();
        detector.GarbageCollect().Should().BeEmpty();
    }

    [Fact]
    public void EnsureSamplingWindow_NewNode_CreatesWindowWithoutHeartbeat()
    {
        var detector = CreateDetector();

        detector.EnsureSamplingWindow(s_node1);

        detector.HasSamplingWindow(s_node1).Should().BeTrue();
        detector.Phi(s_node1).Should().BeNull();
        detector.IsLive(s_node1).Should().BeFalse();
        detector.IsDead(s_node1).Should().BeFalse();
        detector.UpdateNodeLiveness(s_node1);
        detector.IsDead(s_node1).Should().BeTrue();
    }

    [Fact]
    public void EnsureSamplingWindow_ExistingNode_KeepsItsIntervals()
    {
        var detector = CreateDetector();
        ReportEvery(detector, s_node1, TimeSpan.FromSeconds(5), count: 3);

        detector.EnsureSamplingWindow(s_node1);

        detector.Phi(s_node1).Should().Be(0.0);
        detector.TryGetLiveness(s_node1, out var liveness).Should().BeTrue();
        liveness.SampleCount.Should().Be(2);
    }

    [Fact]
    public void Constructor_ConfigChangedAfterwards_DetectorKeepsOriginalValues()
    {
        var config = new FailureDetectorConfig { PhiThreshold = 8.0 };
        var detector = CreateDetector(config);

        config.PhiThreshold = 0.5;
        ReportEvery(detector, s_node1, TimeSpan.FromSeconds(5), count: 3);
        _time.Advance(TimeSpan.FromSeconds(20));
        detector.UpdateNodeLiveness(s_node1);

        detector.IsLive(s_node1).Should().BeTrue();
        detector.Config.PhiThreshold.Should().Be(8.0);
        detector.Config.Should().NotBeSameAs(config);
    }

    [Fact]
    public void Constructor_InvalidConfig_ThrowsArgumentOutOfRangeException()
    {
        var act = () => new FailureDetector(new FailureDetectorConfig { SamplingWindowSize = 0 }, _time);

        act.Should().Throw<ArgumentOutOfRangeException>().Which.ParamName.Should().Be(nameof(FailureDetectorConfig.SamplingWindowSize));
    }

    [Fact]
    public void ReportHeartbeat_ExistingNode_AllocatesNothing()
    {
        var time = new SteppingTimeProvider(TimeSpan.FromMilliseconds(700));
        var detector = new FailureDetector(new FailureDetectorConfig { SamplingWindowSize = 100 }, time);
        var id = ChitchatId.ForLocalTest(10_001);

        // Warm up: create the window, wrap the ring buffer, and let the JIT settle.
        for (var i = 0; i < 1_000; i++)
        {
            detector.ReportHeartbeat(id);
        }

        var allocated = AllocationMeter.Minimum(() =>
        {
            for (var i = 0; i < 20_000; i++)
            {
                detector.ReportHeartbeat(id);
            }
        });

        allocated.Should().Be(0);
        detector.Phi(id).Should().BeApproximately(0.7 / ((100 * 0.7) + 25.0) * 105.0, 1e-9);
    }

    private FailureDetector CreateDetector(FailureDetectorConfig? config = null) =>
        new(config ?? new FailureDetectorConfig(), _time);

    private void ReportEvery(FailureDetector detector, ChitchatId id, TimeSpan period, int count) =>
        detector.ReportEvery(_time, id, period, count);

    private static void UpdateAll(FailureDetector detector, IEnumerable<ChitchatId> nodes)
    {
        foreach (var id in nodes)
        {
            detector.UpdateNodeLiveness(id);
        }
    }

    // A clock that moves forward by a fixed step at every read, without allocating.
    private sealed class SteppingTimeProvider(TimeSpan step) : TimeProvider
    {
        private long _now;

        public override long TimestampFrequency => TimeSpan.TicksPerSecond;

        public override long GetTimestamp() => _now += step.Ticks;
    }
}
