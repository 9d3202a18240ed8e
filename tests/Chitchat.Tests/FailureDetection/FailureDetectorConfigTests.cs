using Chitchat.FailureDetection;

namespace Chitchat.Tests.FailureDetection;

public sealed class FailureDetectorConfigTests
{
    [Fact]
    public void Constructor_Defaults_MatchRustDefaults()
    {
        var config = new FailureDetectorConfig();

        config.PhiThreshold.Should().Be(8.0);
        config.SamplingWindowSize.Should().Be(1_000);
        config.MaxInterval.Should().Be(TimeSpan.FromSeconds(10));
        config.InitialInterval.Should().Be(TimeSpan.FromSeconds(5));
        config.DeadNodeGracePeriod.Should().Be(TimeSpan.FromHours(24));
    }

    [Fact]
    public void Validate_Defaults_DoesNotThrow()
    {
        var act = () => new FailureDetectorConfig().Validate();

        act.Should().NotThrow();
    }

    [Fact]
    public void Validate_SmallestValidValues_DoesNotThrow()
    {
        var config = new FailureDetectorConfig
        {
            PhiThreshold = double.Epsilon,
            SamplingWindowSize = 1,
            MaxInterval = TimeSpan.FromTicks(1),
            InitialInterval = TimeSpan.FromTicks(1),
            DeadNodeGracePeriod = TimeSpan.FromTicks(1),
        };

        var act = config.Validate;

        act.Should().NotThrow();
    }

    [Theory]
    [InlineData(0.0)]
    [InlineData(-1.0)]
    [InlineData(double.NaN)]
    [InlineData(double.PositiveInfinity)]
    [InlineData(double.NegativeInfinity)]
    public void Validate_BadPhiThreshold_ThrowsWithClearMessage(double threshold)
    {
        var act = new FailureDetectorConfig { PhiThreshold = threshold }.Validate;

        act.Should().Throw<ArgumentOutOfRangeException>()
            .Where(e => e.ParamName == nameof(FailureDetectorConfig.PhiThreshold))
            .WithMessage("PhiThreshold must be a finite number greater than zero*");
    }

    [Theory]
    [InlineData(0)]
    [InlineData(-5)]
    public void Validate_BadSamplingWindowSize_ThrowsWithClearMessage(int size)
    {
        var act = new FailureDetectorConfig { SamplingWindowSize = size }.Validate;

        act.Should().Throw<ArgumentOutOfRangeException>()
            .Where(e => e.ParamName == nameof(FailureDetectorConfig.SamplingWindowSize) && Equals(e.ActualValue, size))
            .WithMessage("SamplingWindowSize must be at least 1*");
    }

    [Theory]
    [InlineData(nameof(FailureDetectorConfig.MaxInterval), 0L)]
    [InlineData(nameof(FailureDetectorConfig.MaxInterval), -1L)]
    [InlineData(nameof(FailureDetectorConfig.InitialInterval), 0L)]
    [InlineData(nameof(FailureDetectorConfig.InitialInterval), -10_000_000L)]
    [InlineData(nameof(FailureDetectorConfig.DeadNodeGracePeriod), 0L)]
    [InlineData(nameof(FailureDetectorConfig.DeadNodeGracePeriod), -1L)]
    public void Validate_NonPositiveDuration_ThrowsWithClearMessage(string property, long ticks)
    {
        var config = new FailureDetectorConfig();
        typeof(FailureDetectorConfig).GetProperty(property)!.SetValue(config, TimeSpan.FromTicks(ticks));

        var act = config.Validate;

        act.Should().Throw<ArgumentOutOfRangeException>()
            .Where(e => e.ParamName == property && Equals(e.ActualValue, TimeSpan.FromTicks(ticks)))
            .WithMessage($"{property} must be greater than zero*");
    }
}
