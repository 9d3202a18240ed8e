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

    [Fact]
    public void Append_GrowsTheBufferOnDemand_AndKeepsTheSumOfAFixedWindow()
    {
        // A member heard of a few times costs a small buffer; the window's values and sum are those of a fixed
        // 1,000-value ring, through growth and wrap-around.
        var stats = new BoundedArrayStats(1_000);
        stats.AllocatedLength.Should().Be(BoundedArrayStats.InitialLength);
        var reference = new Queue<double>();
        var random = new Random(4);
        for (var i = 0; i < 2_500; i++)
        {
            var value = random.NextDouble();
            stats.Append(value);
            reference.Enqueue(value);
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
}
