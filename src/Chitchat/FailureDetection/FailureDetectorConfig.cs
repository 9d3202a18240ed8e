namespace Chitchat.FailureDetection;

/// <summary>Settings of the phi-accrual failure detector.</summary>
/// <remarks>
/// <para>
/// Port of chitchat <c>failure_detector.rs</c> <c>FailureDetectorConfig</c>. The defaults are the Rust
/// defaults, so a .NET node configured with defaults judges liveness exactly as a Rust node does.
/// </para>
/// <para>
/// The failure detector reads these values once, when it is created; changing the object afterwards
/// has no effect on a running instance. Call <see cref="Validate"/> to check the values early (the
/// detector also validates them when it is created).
/// </para>
/// <para>This type is not thread-safe; configure it before handing it over.</para>
/// </remarks>
public sealed class FailureDetectorConfig
{
    /// <summary>Gets or sets the phi above which a node is considered dead.</summary>
    /// <remarks>
    /// A node is live while <c>phi ≤ PhiThreshold</c>, where phi is the time elapsed since its last
    /// heartbeat divided by its smoothed mean heartbeat interval. With heartbeats every second and the
    /// default threshold, a node is declared dead after roughly 8 seconds of silence (more while few
    /// intervals have been sampled, because the <see cref="InitialInterval"/> prior weighs in).
    /// </remarks>
    /// <value>The default value is 8.0. Must be finite and greater than zero.</value>
    public double PhiThreshold { get; set; } = 8.0;

    /// <summary>Gets or sets how many recent heartbeat intervals are kept per node.</summary>
    /// <remarks>Each remote node costs 8 bytes per slot, allocated when the node is first seen.</remarks>
    /// <value>The default value is 1,000. Must be at least 1.</value>
    public int SamplingWindowSize { get; set; } = 1_000;

    /// <summary>Gets or sets the longest interval recorded; longer gaps are not sampled.</summary>
    /// <remarks>
    /// A longer gap still counts as a heartbeat (the next interval is measured from it), but it does
    /// not enter the mean, so a node coming back from a long pause is not judged by that pause.
    /// </remarks>
    /// <value>The default value is 10 seconds. Must be greater than zero.</value>
    public TimeSpan MaxInterval { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>Gets or sets the prior mean interval used for additive smoothing.</summary>
    /// <remarks>
    /// The mean interval is computed as if 5 extra intervals of this length had been sampled, which
    /// keeps a node with few samples from flapping between live and dead.
    /// </remarks>
    /// <value>The default value is 5 seconds. Must be greater than zero.</value>
    public TimeSpan InitialInterval { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>Gets or sets how long a dead node is kept before it is forgotten.</summary>
    /// <remarks>
    /// After half this period a dead node is no longer advertised in digests and deltas; after the full
    /// period it is garbage-collected and its state is removed.
    /// </remarks>
    /// <value>The default value is 24 hours. Must be greater than zero.</value>
    public TimeSpan DeadNodeGracePeriod { get; set; } = TimeSpan.FromHours(24);

    /// <summary>Checks that every setting has a meaningful value.</summary>
    /// <remarks>
    /// The Rust crate accepts any value; these checks reject the values that would make the detector
    /// meaningless (a non-positive threshold declares every node dead, a zero prior can divide by zero).
    /// </remarks>
    /// <exception cref="ArgumentOutOfRangeException">A setting is out of its valid range.</exception>
    public void Validate()
    {
        if (double.IsNaN(PhiThreshold) || double.IsInfinity(PhiThreshold) || PhiThreshold <= 0.0)
        {
            throw new ArgumentOutOfRangeException(
                nameof(PhiThreshold),
                PhiThreshold,
                $"{nameof(PhiThreshold)} must be a finite number greater than zero (the default is 8.0); a node is live while its phi is at most this value.");
        }

        if (SamplingWindowSize < 1)
        {
            throw new ArgumentOutOfRangeException(
                nameof(SamplingWindowSize),
                SamplingWindowSize,
                $"{nameof(SamplingWindowSize)} must be at least 1 (the default is 1,000): it is the number of heartbeat intervals kept per node.");
        }

        ThrowIfNotPositive(MaxInterval, nameof(MaxInterval), "the default is 10 seconds");
        ThrowIfNotPositive(InitialInterval, nameof(InitialInterval), "the default is 5 seconds");
        ThrowIfNotPositive(DeadNodeGracePeriod, nameof(DeadNodeGracePeriod), "the default is 24 hours");
    }

    /// <summary>Returns a copy, so that later changes to this instance do not affect the copy.</summary>
    /// <returns>A new instance with the same values.</returns>
    internal FailureDetectorConfig Clone() => (FailureDetectorConfig)MemberwiseClone();

    private static void ThrowIfNotPositive(TimeSpan value, string name, string defaultHint)
    {
        if (value <= TimeSpan.Zero)
        {
            throw new ArgumentOutOfRangeException(name, value, $"{name} must be greater than zero ({defaultHint}).");
        }
    }
}
