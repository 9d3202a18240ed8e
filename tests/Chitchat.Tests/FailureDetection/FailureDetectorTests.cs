using Chitchat.FailureDetection;
using Microsoft.Extensions.Time.Testing;

namespace Chitchat.Tests.FailureDetection;

// TG1–TG5 are ports of the chitchat failure_detector.rs tests; the others pin the deadlines of BEHAVIOUR.md §10.
public sealed class FailureDetectorTests
{
    private static readonly ChitchatId s_node1 = ChitchatId.ForLocalTest(10_001);
    private static readonly ChitchatId s_node2 = ChitchatId.ForLocalTest(10_002);
    private static readonly ChitchatId s_node3 = ChitchatId.ForLocalTest(10_003);

    private readonly FakeTimeProvider _time = new();

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
    public void UpdateNodeLiveness_PhiExactlyAtThreshold_LiveAndOneTickLaterDead()
    {
        var detector = CreateDetector();
        ReportEvery(detector, s_node1, TimeSpan.FromSeconds(5), count: 3);

        // Intervals of 5 s and a 5 s prior: mean = 5 s exactly, so phi = 8 after exactly 40 s.
        _time.Advance(TimeSpan.FromSeconds(40));
        detector.Phi(s_node1).Should().Be(8.0);
        detector.UpdateNodeLiveness(s_node1);
        detector.IsLive(s_node1).Should().BeTrue();

        _time.Advance(TimeSpan.FromTicks(1));
        detector.Phi(s_node1).Should().BeGreaterThan(8.0);
        detector.UpdateNodeLiveness(s_node1);
        detector.IsLive(s_node1).Should().BeFalse();
        detector.IsDead(s_node1).Should().BeTrue();
    }

    [Fact]
    public void UpdateNodeLiveness_CustomThreshold_UsesConfiguredThreshold()
    {
        var detector = CreateDetector(new FailureDetectorConfig { PhiThreshold = 2.0 });
        ReportEvery(detector, s_node1, TimeSpan.FromSeconds(5), count: 3);

        _time.Advance(TimeSpan.FromSeconds(10));
        detector.UpdateNodeLiveness(s_node1);
        detector.IsLive(s_node1).Should().BeTrue();

        _time.Advance(TimeSpan.FromTicks(1));
        detector.UpdateNodeLiveness(s_node1);
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
    public void UpdateNodeLiveness_DeadNodeWithoutNewHeartbeat_StaysDeadEvenIfOldIntervalsWereShort()
    {
        var detector = CreateDetector();
        ReportEvery(detector, s_node1, TimeSpan.FromSeconds(1), count: 10);
        _time.Advance(TimeSpan.FromSeconds(100));
        detector.UpdateNodeLiveness(s_node1);
        detector.IsDead(s_node1).Should().BeTrue();

        // The window was cleared: the old intervals no longer yield a phi.
        detector.Phi(s_node1).Should().BeNull();
        detector.UpdateNodeLiveness(s_node1);
        detector.IsDead(s_node1).Should().BeTrue();
    }

    [Fact]
    public void UpdateNodeLiveness_DeadNodeFirstHeartbeatAfterLongGap_StillDeadUntilASecondHeartbeat()
    {
        var detector = DeadAfterSilence();

        // Interval since the previous report is > max_interval: dropped, no phi.
        detector.ReportHeartbeat(s_node1);
        detector.UpdateNodeLiveness(s_node1);
        detector.IsDead(s_node1).Should().BeTrue();

        // Interval 1 s ≤ max_interval: recorded; phi = 0.
        _time.Advance(TimeSpan.FromSeconds(1));
        detector.ReportHeartbeat(s_node1);
        detector.UpdateNodeLiveness(s_node1);
        detector.IsLive(s_node1).Should().BeTrue();
        detector.IsDead(s_node1).Should().BeFalse();
    }

    [Fact]
    public void UpdateNodeLiveness_DeadNodeTwoHeartbeatsBetweenUpdates_ComesBackLive()
    {
        var detector = DeadAfterSilence();

        detector.ReportHeartbeat(s_node1);
        _time.Advance(TimeSpan.FromSeconds(1));
        detector.ReportHeartbeat(s_node1);
        detector.UpdateNodeLiveness(s_node1);

        detector.IsLive(s_node1).Should().BeTrue();
    }

    [Fact]
    public void UpdateNodeLiveness_DeadNodeHeartbeatExactlyMaxIntervalAfterPrevious_ComesBackLive()
    {
        var detector = DeadAfterSilence();
        detector.ReportHeartbeat(s_node1);
        detector.UpdateNodeLiveness(s_node1);

        // The update cleared the window but kept the last heartbeat: this interval is exactly 10 s.
        _time.Advance(TimeSpan.FromSeconds(10));
        detector.ReportHeartbeat(s_node1);
        detector.UpdateNodeLiveness(s_node1);

        detector.IsLive(s_node1).Should().BeTrue();
    }

    [Fact]
    public void UpdateNodeLiveness_DeadNodeHeartbeatOneTickAboveMaxInterval_StaysDead()
    {
        var detector = DeadAfterSilence();
        detector.ReportHeartbeat(s_node1);
        detector.UpdateNodeLiveness(s_node1);

        _time.Advance(TimeSpan.FromSeconds(10) + TimeSpan.FromTicks(1));
        detector.ReportHeartbeat(s_node1);
        detector.UpdateNodeLiveness(s_node1);

        detector.IsDead(s_node1).Should().BeTrue();
        detector.IsLive(s_node1).Should().BeFalse();
    }

    [Fact]
    public void ScheduledForDeletionNodes_ExactlyHalfGracePeriod_NotScheduledAndOneTickLaterScheduled()
    {
        var detector = CreateDetector();
        detector.ReportHeartbeat(s_node1);
        detector.UpdateNodeLiveness(s_node1);

        _time.Advance(TimeSpan.FromHours(12));
        detector.ScheduledForDeletionNodes.Should().BeEmpty();
        detector.DeadNodes.Should().Equal(s_node1);

        _time.Advance(TimeSpan.FromTicks(1));
        detector.ScheduledForDeletionNodes.Should().Equal(s_node1);
        detector.DeadNodes.Should().Equal(s_node1);
    }

    [Fact]
    public void ScheduledForDeletionNodes_OddTickGracePeriod_StrictlyAfterTheExactHalf()
    {
        // Grace period 3 ticks: half is 1.5 ticks, so 1 tick is before it and 2 ticks after it.
        var detector = CreateDetector(new FailureDetectorConfig { DeadNodeGracePeriod = TimeSpan.FromTicks(3) });
        detector.UpdateNodeLiveness(s_node1);

        _time.Advance(TimeSpan.FromTicks(1));
        detector.ScheduledForDeletionNodes.Should().BeEmpty();

        _time.Advance(TimeSpan.FromTicks(1));
        detector.ScheduledForDeletionNodes.Should().Equal(s_node1);
    }

    [Fact]
    public void ScheduledForDeletionNodes_LiveNode_NeverScheduled()
    {
        var detector = CreateDetector(new FailureDetectorConfig { DeadNodeGracePeriod = TimeSpan.FromSeconds(2) });
        ReportEvery(detector, s_node1, TimeSpan.FromSeconds(1), count: 5);
        detector.UpdateNodeLiveness(s_node1);

        _time.Advance(TimeSpan.FromSeconds(5));

        detector.ScheduledForDeletionNodes.Should().BeEmpty();
        detector.GarbageCollect().Should().BeEmpty();
    }

    [Fact]
    public void GarbageCollect_OneTickBeforeGracePeriod_KeepsNodeAndAtGracePeriodRemovesIt()
    {
        var detector = CreateDetector();
        detector.ReportHeartbeat(s_node1);
        detector.UpdateNodeLiveness(s_node1);

        _time.Advance(TimeSpan.FromHours(24) - TimeSpan.FromTicks(1));
        detector.GarbageCollect().Should().BeEmpty();
        detector.IsDead(s_node1).Should().BeTrue();
        detector.HasSamplingWindow(s_node1).Should().BeTrue();

        _time.Advance(TimeSpan.FromTicks(1));
        detector.GarbageCollect().Should().Equal(s_node1);
        detector.IsDead(s_node1).Should().BeFalse();
        detector.HasSamplingWindow(s_node1).Should().BeFalse();
        detector.TryGetLiveness(s_node1, out _).Should().BeFalse();
        detector.GarbageCollect().Should().BeEmpty();
    }

    [Fact]
    public void GarbageCollect_RepeatedDeadUpdates_TimeOfDeathIsTheFirstUpdate()
    {
        var detector = CreateDetector();
        detector.ReportHeartbeat(s_node1);
        detector.UpdateNodeLiveness(s_node1);
        _time.Advance(TimeSpan.FromHours(1));
        detector.UpdateNodeLiveness(s_node1);
        _time.Advance(TimeSpan.FromHours(10));
        detector.UpdateNodeLiveness(s_node1);

        _time.Advance(TimeSpan.FromHours(13));

        detector.GarbageCollect().Should().Equal(s_node1);
    }

    [Fact]
    public void GarbageCollect_NodeRevivedThenDeadAgain_UsesTheNewTimeOfDeath()
    {
        var detector = CreateDetector();
        detector.ReportHeartbeat(s_node1);
        detector.UpdateNodeLiveness(s_node1); // dead at T0
        _time.Advance(TimeSpan.FromHours(20));
        ReportEvery(detector, s_node1, TimeSpan.FromSeconds(1), count: 2);
        detector.UpdateNodeLiveness(s_node1); // live again
        detector.IsLive(s_node1).Should().BeTrue();
        _time.Advance(TimeSpan.FromMinutes(1));
        detector.UpdateNodeLiveness(s_node1); // dead at T1 = T0 + 20 h + 1 s + 1 min

        _time.Advance(TimeSpan.FromHours(23));
        detector.GarbageCollect().Should().BeEmpty();
        detector.ScheduledForDeletionNodes.Should().Equal(s_node1);

        _time.Advance(TimeSpan.FromHours(1));
        detector.GarbageCollect().Should().Equal(s_node1);
    }

    [Fact]
    public void GarbageCollect_ThenHeartbeatAgain_NodeStartsOverWithAFreshWindow()
    {
        var detector = CreateDetector(new FailureDetectorConfig { DeadNodeGracePeriod = TimeSpan.FromSeconds(30) });
        ReportEvery(detector, s_node1, TimeSpan.FromSeconds(1), count: 3);
        _time.Advance(TimeSpan.FromSeconds(60));
        detector.UpdateNodeLiveness(s_node1);
        _time.Advance(TimeSpan.FromSeconds(30));
        detector.GarbageCollect().Should().Equal(s_node1);

        detector.ReportHeartbeat(s_node1);

        detector.Phi(s_node1).Should().BeNull();
        detector.IsDead(s_node1).Should().BeFalse();
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

        var before = GC.GetAllocatedBytesForCurrentThread();
        for (var i = 0; i < 100_000; i++)
        {
            detector.ReportHeartbeat(id);
        }

        var allocated = GC.GetAllocatedBytesForCurrentThread() - before;

        allocated.Should().Be(0);
        detector.Phi(id).Should().BeApproximately(0.7 / ((100 * 0.7) + 25.0) * 105.0, 1e-9);
    }

    private FailureDetector CreateDetector(FailureDetectorConfig? config = null) =>
        new(config ?? new FailureDetectorConfig(), _time);

    private static void UpdateAll(FailureDetector detector, IEnumerable<ChitchatId> nodes)
    {
        foreach (var id in nodes)
        {
            detector.UpdateNodeLiveness(id);
        }
    }

    // Reports count heartbeats, period apart (the first one now); ends right after the last report.
    private void ReportEvery(FailureDetector detector, ChitchatId id, TimeSpan period, int count)
    {
        for (var i = 0; i < count; i++)
        {
            if (i > 0)
            {
                _time.Advance(period);
            }

            detector.ReportHeartbeat(id);
        }
    }

    // A node that was live with 1 s heartbeats, then silent for 60 s and found dead by an update.
    private FailureDetector DeadAfterSilence()
    {
        var detector = CreateDetector();
        ReportEvery(detector, s_node1, TimeSpan.FromSeconds(1), count: 10);
        detector.UpdateNodeLiveness(s_node1);
        detector.IsLive(s_node1).Should().BeTrue();
        _time.Advance(TimeSpan.FromSeconds(60));
        detector.UpdateNodeLiveness(s_node1);
        detector.IsDead(s_node1).Should().BeTrue();
        return detector;
    }

    // A clock that moves forward by a fixed step at every read, without allocating.
    private sealed class SteppingTimeProvider(TimeSpan step) : TimeProvider
    {
        private long _now;

        public override long TimestampFrequency => TimeSpan.TicksPerSecond;

        public override long GetTimestamp() => _now += step.Ticks;
    }
}
