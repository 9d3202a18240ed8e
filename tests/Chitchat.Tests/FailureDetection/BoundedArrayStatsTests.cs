using Chitchat.FailureDetection;

namespace Chitchat.Tests.FailureDetection;

// Port of chitchat failure_detector.rs test_bounded_array_stats (TG7).
public sealed class BoundedArrayStatsTests
{
    private const double F64Epsilon = 2.220446049250313e-16; // Rust f64::EPSILON

    private static readonly TimeSpan s_max = TimeSpan.FromSeconds(10);

    [Fact]
    public void Append_BeyondCapacity_KeepsLastValuesAndTheirSum()
    {
        const int Capacity = 5;
        var stats = new BoundedArrayStats(Capacity, s_max);
        var queue = new Queue<double>();
        for (var i = 1; i <= Capacity; i++)
        {
            stats.Length.Should().BeLessThan(Capacity);
            stats.IsFilled.Should().BeFalse();
            stats.Append(TimeSpan.FromSeconds(i));
            queue.Enqueue(i);
            stats.Length.Should().Be(i);
            stats.Sum.Should().BeApproximately(queue.Sum(), F64Epsilon);
        }

        stats.IsFilled.Should().BeTrue();
        stats.Sum.Should().Be(15.0);

        for (var i = Capacity + 1; i < Capacity * 2; i++)
        {
            stats.Append(TimeSpan.FromSeconds(i));
            queue.Enqueue(i);
            queue.Dequeue();
            stats.Sum.Should().BeApproximately(queue.Sum(), F64Epsilon);
            stats.Length.Should().Be(Capacity);
        }

        // Last five of 1..9.
        stats.Sum.Should().Be(5.0 + 6 + 7 + 8 + 9);
    }

    [Fact]
    public void Clear_AfterWrapping_EmptiesAndRestartsFromScratch()
    {
        var stats = new BoundedArrayStats(3, s_max);
        foreach (var value in new[] { 1.0, 2.0, 3.0, 4.0 })
        {
            stats.Append(TimeSpan.FromSeconds(value));
        }

        stats.Clear();

        stats.Length.Should().Be(0);
        stats.IsFilled.Should().BeFalse();
        stats.Sum.Should().Be(0.0);
        stats.Append(TimeSpan.FromSeconds(10));
        stats.Length.Should().Be(1);
        stats.Sum.Should().Be(10.0);
    }

    [Fact]
    public void Append_CapacityOne_KeepsOnlyTheLastValue()
    {
        var stats = new BoundedArrayStats(1, s_max);

        stats.Append(TimeSpan.FromSeconds(2.5));
        stats.Append(TimeSpan.FromSeconds(7));

        stats.IsFilled.Should().BeTrue();
        stats.Length.Should().Be(1);
        stats.Sum.Should().Be(7.0);
    }

    [Fact]
    public void Constructor_ZeroCapacity_ThrowsArgumentOutOfRangeException()
    {
        var act = () => new BoundedArrayStats(0, s_max);

        act.Should().Throw<ArgumentOutOfRangeException>();
    }

    [Fact]
    public void Append_GrowsTheBufferOnDemand_AndKeepsTheSumOfAFixedWindow()
    {
        // A member heard of a few times costs a small buffer; the window's values and sum are those of a fixed
        // 1,000-value ring, through growth and wrap-around.
        var stats = new BoundedArrayStats(1_000, s_max);
        stats.AllocatedLength.Should().Be(BoundedArrayStats.InitialLength);
        var reference = new Queue<double>();
        var random = new Random(4);
        for (var i = 0; i < 2_500; i++)
        {
            var value = TimeSpan.FromTicks(random.NextInt64(s_max.Ticks + 1));
            stats.Append(value);
            reference.Enqueue(SamplingWindow.ToSecondsF64(value));
            if (reference.Count > 1_000)
            {
                reference.Dequeue();
            }

            stats.Length.Should().Be(reference.Count);
            if (i == 4)
            {
                stats.AllocatedLength.Should().Be(BoundedArrayStats.InitialLength, "five values fit the initial buffer");
            }
        }

        stats.AllocatedLength.Should().Be(1_000, "it never grows beyond the window");
        stats.Sum.Should().BeApproximately(reference.Sum(), 1e-9);
    }

    [Fact]
    public void Append_AfterEvictions_SumIsTheRunningSumOfTheSecondsBitForBit()
    {
        // The seconds subtracted on eviction are recomputed from the stored ticks: they must be the very value
        // that was added, or the sum drifts away from the Rust crate's (which stores the seconds themselves).
        var stats = new BoundedArrayStats(7, s_max);
        var added = new Queue<double>();
        var expected = 0.0;
        var random = new Random(11);
        for (var i = 0; i < 200; i++)
        {
            var interval = TimeSpan.FromTicks(random.NextInt64(s_max.Ticks + 1));
            if (added.Count == 7)
            {
                expected -= added.Dequeue();
            }

            var seconds = SamplingWindow.ToSecondsF64(interval);
            added.Enqueue(seconds);
            expected += seconds;
            stats.Append(interval);

            stats.Sum.Should().Be(expected);
        }
    }

    [Fact]
    public void Append_MaximumBeyondThirtyTwoBitsOfTicks_StoresCoarserUnitsAndStaysConsistent()
    {
        var max = TimeSpan.FromHours(1);
        var stats = new BoundedArrayStats(2, max);

        stats.Append(max);
        stats.Append(TimeSpan.FromMinutes(30));
        stats.Append(TimeSpan.FromSeconds(1));

        stats.Length.Should().Be(2);
        stats.Sum.Should().BeApproximately(1_801, 1e-5, "an hour does not fit 32 bits of ticks, a unit of a few ticks does");
        stats.Clear();
        stats.Sum.Should().Be(0);
    }
}
