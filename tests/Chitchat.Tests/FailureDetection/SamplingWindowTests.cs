using Chitchat.FailureDetection;
using Microsoft.Extensions.Time.Testing;

namespace Chitchat.Tests.FailureDetection;

public sealed class SamplingWindowTests
{
    private const double F64Epsilon = 2.220446049250313e-16; // Rust f64::EPSILON

    // Port of chitchat failure_detector.rs test_sampling_window (TG6).
    [Fact]
    public void Phi_RustSamplingWindowScenario_MatchesSmoothedMean()
    {
        var time = new FakeTimeProvider();
        var window = new SamplingWindow(10, TimeSpan.FromSeconds(5), TimeSpan.FromSeconds(2), time);
        window.ReportHeartbeat();
        time.Advance(TimeSpan.FromSeconds(3));
        window.ReportHeartbeat();

        // Intervals: [3.0].
        var mean = (3.0 + (2.0 * 5.0)) / (1.0 + 5.0);
        window.Phi()!.Value.Should().BeApproximately(0.0, F64Epsilon);

        time.Advance(TimeSpan.FromSeconds(1));
        window.Phi()!.Value.Should().BeApproximately(1.0 / mean, F64Epsilon);

        // An interval above max_interval (6 s > 5 s) is not recorded, but moves the last heartbeat.
        time.Advance(TimeSpan.FromSeconds(5));
        window.ReportHeartbeat();
        time.Advance(TimeSpan.FromSeconds(2));
        window.Phi()!.Value.Should().BeApproximately(2.0 / mean, F64Epsilon);
        window.IntervalCount.Should().Be(1);

        time.Advance(TimeSpan.FromSeconds(100));
        window.Reset();

        // To revive, a single sample is not sufficient.
        window.ReportHeartbeat();
        window.Phi().Should().BeNull();

        time.Advance(TimeSpan.FromSeconds(2));
        window.ReportHeartbeat();
        time.Advance(TimeSpan.FromSeconds(4));

        // Intervals: [2.0]; mean = (2 + 10) / 6 = 2.
        window.Phi()!.Value.Should().BeApproximately(4.0 / ((2.0 + (2.0 * 5.0)) / (1.0 + 5.0)), F64Epsilon);
        window.Phi().Should().Be(2.0);
    }

    [Fact]
    public void Phi_NoHeartbeat_IsNull()
    {
        var window = new SamplingWindow(10, TimeSpan.FromSeconds(5), TimeSpan.FromSeconds(2), new FakeTimeProvider());

        window.Phi().Should().BeNull();
        window.LastHeartbeatTimestamp.Should().BeNull();
        window.MeanIntervalSeconds.Should().BeNull();
    }

    [Fact]
    public void ReportHeartbeat_IntervalExactlyMaxInterval_IsRecorded()
    {
        var time = new FakeTimeProvider();
        var window = new SamplingWindow(10, TimeSpan.FromSeconds(5), TimeSpan.FromSeconds(2), time);
        window.ReportHeartbeat();

        time.Advance(TimeSpan.FromSeconds(5));
        window.ReportHeartbeat();

        window.IntervalCount.Should().Be(1);
        window.MeanIntervalSeconds.Should().Be((5.0 + 10.0) / 6.0);
    }

    [Fact]
    public void ReportHeartbeat_IntervalOneTickAboveMaxInterval_IsNotRecordedButMovesLastHeartbeat()
    {
        var time = new FakeTimeProvider();
        var window = new SamplingWindow(10, TimeSpan.FromSeconds(5), TimeSpan.FromSeconds(2), time);
        window.ReportHeartbeat();

        time.Advance(TimeSpan.FromSeconds(5) + TimeSpan.FromTicks(1));
        window.ReportHeartbeat();

        window.IntervalCount.Should().Be(0);
        window.LastHeartbeatTimestamp.Should().Be(time.GetTimestamp());
        window.SinceLastHeartbeat(time.GetTimestamp()).Should().Be(TimeSpan.Zero);
    }

    [Fact]
    public void Reset_KeepsLastHeartbeat_SoTheNextReportRecordsAnInterval()
    {
        var time = new FakeTimeProvider();
        var window = new SamplingWindow(10, TimeSpan.FromSeconds(5), TimeSpan.FromSeconds(2), time);
        window.ReportHeartbeat();
        time.Advance(TimeSpan.FromSeconds(1));
        window.ReportHeartbeat();

        window.Reset();
        window.Phi().Should().BeNull();
        time.Advance(TimeSpan.FromSeconds(3));
        window.ReportHeartbeat();

        window.IntervalCount.Should().Be(1);
        window.MeanIntervalSeconds.Should().Be((3.0 + 10.0) / 6.0);
    }

    [Theory]
    [InlineData(0L, 0.0)]
    [InlineData(1L, 1e-7)]
    [InlineData(10_000_000L, 1.0)]
    [InlineData(15_000_000L, 1.5)]
    public void ToSecondsF64_Duration_MatchesRustAsSecsF64(long ticks, double expected)
    {
        // Rust: secs as f64 + nanos as f64 / 1e9.
        SamplingWindow.ToSecondsF64(TimeSpan.FromTicks(ticks)).Should().Be(expected);
    }

    [Fact]
    public void ToSecondsF64_WholeSecondsPlusNanoseconds_RoundsLikeRustNotLikeTickDivision()
    {
        // 82.9741754 s: Rust computes 82.0 + 974_175_400 / 1e9, which rounds one ulp away from 829741754 / 1e7.
        var seconds = SamplingWindow.ToSecondsF64(TimeSpan.FromTicks(829_741_754L));

        seconds.Should().Be(82.97417540000001);
        seconds.Should().NotBe(829_741_754L / 1e7);
    }
}
