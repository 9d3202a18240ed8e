using Chitchat.FailureDetection;

namespace Chitchat.Tests.FailureDetection;

// Port of chitchat failure_detector.rs test_bounded_array_stats (TG7).
public sealed class BoundedArrayStatsTests
{
    private const double F64Epsilon = 2.220446049250313e-16; // Rust f64::EPSILON

    [Fact]
    public void Append_BeyondCapacity_KeepsLastValuesAndTheirSum()
    {
        const int Capacity = 5;
        var stats = new BoundedArrayStats(Capacity);
        var queue = new Queue<double>();
        for (var i = 1; i <= Capacity; i++)
        {
            stats.Length.Should().BeLessThan(Capacity);
            stats.IsFilled.Should().BeFalse();
            stats.Append(i);
            queue.Enqueue(i);
            stats.Length.Should().Be(i);
            stats.Sum.Should().BeApproximately(queue.Sum(), F64Epsilon);
        }

        stats.IsFilled.Should().BeTrue();
        stats.Sum.Should().Be(15.0);

        for (var i = Capacity + 1; i < Capacity * 2; i++)
        {
            stats.Append(i);
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
        var stats = new BoundedArrayStats(3);
        foreach (var value in new[] { 1.0, 2.0, 3.0, 4.0 })
        {
            stats.Append(value);
        }

        stats.Clear();

        stats.Length.Should().Be(0);
        stats.IsFilled.Should().BeFalse();
        stats.Sum.Should().Be(0.0);
        stats.Append(10.0);
        stats.Length.Should().Be(1);
        stats.Sum.Should().Be(10.0);
    }

    [Fact]
    public void Append_CapacityOne_KeepsOnlyTheLastValue()
    {
        var stats = new BoundedArrayStats(1);

        stats.Append(2.5);
        stats.Append(7.0);

        stats.IsFilled.Should().BeTrue();
        stats.Length.Should().Be(1);
        stats.Sum.Should().Be(7.0);
    }

    [Fact]
    public void Constructor_ZeroCapacity_ThrowsArgumentOutOfRangeException()
    {
        var act = () => new BoundedArrayStats(0);

        act.Should().Throw<ArgumentOutOfRangeException>();
    }
}
