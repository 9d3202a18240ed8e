namespace Chitchat.FailureDetection;

/// <summary>Settings of the phi-accrual failure detector (BEHAVIOUR.md §10.1).</summary>
public sealed class FailureDetectorConfig
{
    /// <summary>Gets or sets the phi above which a node is considered dead.</summary>
    /// <value>The default value is 8.0.</value>
    public double PhiThreshold { get; set; } = 8.0;

    /// <summary>Gets or sets how many recent heartbeat intervals are kept per node.</summary>
    /// <value>The default value is 1,000.</value>
    public int SamplingWindowSize { get; set; } = 1_000;

    /// <summary>Gets or sets the longest interval recorded; longer gaps are not sampled.</summary>
    /// <value>The default value is 10 seconds.</value>
    public TimeSpan MaxInterval { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>Gets or sets the prior mean interval used for additive smoothing.</summary>
    /// <value>The default value is 5 seconds.</value>
    public TimeSpan InitialInterval { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>Gets or sets how long a dead node is kept before it is forgotten.</summary>
    /// <value>The default value is 24 hours.</value>
    public TimeSpan DeadNodeGracePeriod { get; set; } = TimeSpan.FromHours(24);

    /// <summary>Throws if a setting is nonsensical. STUB: to be implemented.</summary>
    public void Validate()
    {
    }
}
