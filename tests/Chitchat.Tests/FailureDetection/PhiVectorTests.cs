using System.Text.Json;
using Chitchat.FailureDetection;
using Microsoft.Extensions.Time.Testing;

namespace Chitchat.Tests.FailureDetection;

// Phi traces produced by the Rust crates (tests/vectors/chitchat-0.10.1.json and chitchat-0.13.0.json,
// phi_accrual.sampling_window); the 0.13 traces also give failure_detection_timeout.
public sealed class PhiVectorTests
{
    private const double RelativeTolerance = 1e-12;

    public static TheoryData<string> TraceNames
    {
        get
        {
            var names = new TheoryData<string>();
            foreach (var trace in Vectors.PhiTraces)
            {
                names.Add(trace.GetProperty("name").GetString()!);
            }

            return names;
        }
    }

    [Fact]
    public void PhiTraces_VectorsFile_ContainsTheFourRustTraces()
    {
        Vectors.PhiTraces.Select(t => t.GetProperty("name").GetString()).Should().Equal(
            "regular_1s_prior_5s",
            "single_heartbeat",
            "interval_above_max_interval_dropped",
            "small_window_eviction");
    }

    public static TheoryData<string> TraceNames013 => Vectors.Names(Vectors.V013.PhiTraces);

    [Theory]
    [MemberData(nameof(TraceNames))]
    public void Phi_RustTrace_MatchesEveryQuery(string name) =>
        Replay(Vectors.PhiTraces.Single(t => t.GetProperty("name").GetString() == name));

    [Theory]
    [MemberData(nameof(TraceNames013))]
    public void PhiAndFailureDetectionTimeout_Rust013Trace_MatchEveryQuery(string name) =>
        Replay(Vectors.Named(Vectors.V013.PhiTraces, name));

    private static void Replay(JsonElement trace)
    {
        trace.GetProperty("prior_weight").GetDouble().Should().Be(SamplingWindow.PriorWeight);
        var time = new FakeTimeProvider();
        var start = time.GetUtcNow();
        var config = new FailureDetectorConfig
        {
            SamplingWindowSize = trace.GetProperty("window_size").GetInt32(),
            MaxInterval = TimeSpan.FromMilliseconds(trace.GetProperty("max_interval_ms").GetInt64()),
            InitialInterval = TimeSpan.FromMilliseconds(trace.GetProperty("prior_interval_ms").GetInt64()),
        };
        var detector = new FailureDetector(config, time);
        var id = ChitchatId.ForLocalTest(10_001);
        var heartbeats = new Queue<long>(trace.GetProperty("heartbeats_ms").EnumerateArray().Select(e => e.GetInt64()));
        var queries = trace.GetProperty("queries").EnumerateArray().ToList();
        queries.Should().NotBeEmpty();

        foreach (var query in queries)
        {
            // Heartbeats at or before the query instant happen first (the traces query right after reports).
            var queryMs = query.GetProperty("t_ms").GetInt64();
            while (heartbeats.Count > 0 && heartbeats.Peek() <= queryMs)
            {
                AdvanceTo(time, start, heartbeats.Dequeue());
                detector.ReportHeartbeat(id);
            }

            AdvanceTo(time, start, queryMs);
            var phi = detector.Phi(id);
            var expected = query.GetProperty("phi");
            if (expected.ValueKind == JsonValueKind.Null)
            {
                phi.Should().BeNull($"no interval is recorded at t = {queryMs} ms");
            }
            else
            {
                AssertRelativelyEqual(phi, expected.GetDouble(), queryMs);
            }

            if (query.TryGetProperty("failure_detection_timeout_ms", out var timeout))
            {
                var ours = detector.FailureDetectionTimeout(id);
                if (timeout.ValueKind == JsonValueKind.Null)
                {
                    ours.Should().BeNull($"no interval is recorded at t = {queryMs} ms");
                }
                else
                {
                    // Rust keeps nanoseconds, TimeSpan 100-ns ticks; the vectors round to the nanosecond.
                    ours!.Value.TotalMilliseconds.Should().BeApproximately(timeout.GetDouble(), 1e-3, $"at t = {queryMs} ms");
                }
            }
        }
    }

    private static void AdvanceTo(FakeTimeProvider time, DateTimeOffset start, long ms)
    {
        var target = start + TimeSpan.FromMilliseconds(ms);
        var now = time.GetUtcNow();
        now.Should().BeOnOrBefore(target);
        time.Advance(target - now);
    }

    private static void AssertRelativelyEqual(double? actual, double expected, long queryMs)
    {
        actual.Should().NotBeNull($"Rust has phi {expected} at t = {queryMs} ms");
        if (expected == 0.0)
        {
            actual.Should().Be(0.0);
            return;
        }

        Math.Abs((actual!.Value - expected) / expected).Should().BeLessThanOrEqualTo(
            RelativeTolerance, $"Rust has phi {expected:R} at t = {queryMs} ms, got {actual:R}");
    }
}
