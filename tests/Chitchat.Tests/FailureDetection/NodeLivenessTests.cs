using Chitchat.FailureDetection;
using Microsoft.Extensions.Time.Testing;

namespace Chitchat.Tests.FailureDetection;

public sealed class NodeLivenessTests
{
    private static readonly ChitchatId s_node = ChitchatId.ForLocalTest(10_001);

    private readonly FakeTimeProvider _time = new();

    [Fact]
    public void TryGetLiveness_UnknownNode_ReturnsFalse()
    {
        var detector = new FailureDetector(new FailureDetectorConfig(), _time);

        detector.TryGetLiveness(s_node, out var liveness).Should().BeFalse();
        liveness.Should().Be(default(NodeLiveness));
    }

    [Fact]
    public void TryGetLiveness_WindowButNoVerdict_IsUnknownWithoutFigures()
    {
        var detector = new FailureDetector(new FailureDetectorConfig(), _time);
        detector.EnsureSamplingWindow(s_node);

        detector.TryGetLiveness(s_node, out var liveness).Should().BeTrue();

        liveness.Should().Be(new NodeLiveness(s_node, NodeLivenessState.Unknown, null, 8.0, null, null, 0, null));
    }

    [Fact]
    public void TryGetLiveness_LiveNode_ExplainsPhi()
    {
        var detector = new FailureDetector(new FailureDetectorConfig(), _time);
        for (var i = 0; i < 3; i++)
        {
            detector.ReportHeartbeat(s_node);
            _time.Advance(TimeSpan.FromSeconds(5));
        }

        // Heartbeats at 0, 5, 10 s; now 15 s: mean (10 + 25) / 7 = 5 s, phi = 5 / 5 = 1.
        detector.UpdateNodeLiveness(s_node);
        detector.TryGetLiveness(s_node, out var liveness).Should().BeTrue();

        liveness.Should().Be(new NodeLiveness(
            s_node,
            NodeLivenessState.Live,
            Phi: 1.0,
            PhiThreshold: 8.0,
            SinceLastHeartbeat: TimeSpan.FromSeconds(5),
            MeanInterval: TimeSpan.FromSeconds(5),
            SampleCount: 2,
            SinceDeath: null));
    }

    [Fact]
    public void TryGetLiveness_LiveVerdictButPhiNowAboveThreshold_ShowsBoth()
    {
        var detector = new FailureDetector(new FailureDetectorConfig(), _time);
        detector.ReportHeartbeat(s_node);
        _time.Advance(TimeSpan.FromSeconds(5));
        detector.ReportHeartbeat(s_node);
        detector.UpdateNodeLiveness(s_node);

        _time.Advance(TimeSpan.FromSeconds(45));
        detector.TryGetLiveness(s_node, out var liveness).Should().BeTrue();

        liveness.State.Should().Be(NodeLivenessState.Live);
        liveness.Phi.Should().Be(9.0);
        liveness.Phi.Should().BeGreaterThan(liveness.PhiThreshold);
    }

    [Fact]
    public void TryGetLiveness_DeadNode_ShowsTimeSinceDeathAndClearedWindow()
    {
        var detector = new FailureDetector(new FailureDetectorConfig(), _time);
        detector.ReportHeartbeat(s_node);
        _time.Advance(TimeSpan.FromSeconds(5));
        detector.ReportHeartbeat(s_node);
        _time.Advance(TimeSpan.FromSeconds(50));
        detector.UpdateNodeLiveness(s_node);

        _time.Advance(TimeSpan.FromHours(1));
        detector.TryGetLiveness(s_node, out var liveness).Should().BeTrue();

        liveness.Should().Be(new NodeLiveness(
            s_node,
            NodeLivenessState.Dead,
            Phi: null,
            PhiThreshold: 8.0,
            SinceLastHeartbeat: TimeSpan.FromSeconds(50) + TimeSpan.FromHours(1),
            MeanInterval: null,
            SampleCount: 0,
            SinceDeath: TimeSpan.FromHours(1)));
    }

    [Fact]
    public void TryGetLiveness_DeadPastHalfGracePeriod_IsScheduledForDeletion()
    {
        var detector = new FailureDetector(new FailureDetectorConfig { DeadNodeGracePeriod = TimeSpan.FromSeconds(20) }, _time);
        detector.UpdateNodeLiveness(s_node);

        _time.Advance(TimeSpan.FromSeconds(10));
        detector.TryGetLiveness(s_node, out var atHalf).Should().BeTrue();
        _time.Advance(TimeSpan.FromTicks(1));
        detector.TryGetLiveness(s_node, out var afterHalf).Should().BeTrue();

        atHalf.State.Should().Be(NodeLivenessState.Dead);
        afterHalf.State.Should().Be(NodeLivenessState.ScheduledForDeletion);
        afterHalf.SinceDeath.Should().Be(TimeSpan.FromSeconds(10) + TimeSpan.FromTicks(1));
        afterHalf.SinceLastHeartbeat.Should().BeNull();
    }
}
