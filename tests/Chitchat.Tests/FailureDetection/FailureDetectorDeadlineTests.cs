using Chitchat.FailureDetection;
using Microsoft.Extensions.Time.Testing;

namespace Chitchat.Tests.FailureDetection;

// Both sides of every deadline of docs/DESIGN.md, and how a dead node comes back.
public sealed class FailureDetectorDeadlineTests
{
    private static readonly ChitchatId s_node1 = ChitchatId.ForLocalTest(10_001);

    private readonly FakeTimeProvider _time = new();

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

    private FailureDetector CreateDetector(FailureDetectorConfig? config = null) =>
        new(config ?? new FailureDetectorConfig(), _time);

    private void ReportEvery(FailureDetector detector, ChitchatId id, TimeSpan period, int count) =>
        detector.ReportEvery(_time, id, period, count);

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
}
