namespace Chitchat.FailureDetection;

/// <summary>
/// The recent heartbeat inter-arrival intervals of one remote node, and the phi computed from them
///.
/// </summary>
/// <remarks>
/// <para>
/// Port of chitchat <c>failure_detector.rs</c> <c>SamplingWindow</c>. Phi here is chitchat's, not the
/// log-based phi of Hayashibara et al. nor Akka's normal-distribution phi: it is the time elapsed since
/// the last heartbeat divided by the mean interval, the mean being smoothed with
/// <see cref="PriorWeight"/> virtual intervals of the configured initial interval:
/// <c>phi = elapsed / ((sum + 5 × prior) / (n + 5))</c>, all in seconds as <see cref="double"/>.
/// </para>
/// <para>
/// Intervals longer than the maximum interval are not recorded, but the heartbeat still moves the
/// last-heartbeat instant. Phi is undefined (<see langword="null"/>) until one interval has been
/// recorded since creation or the last <see cref="Reset"/>.
/// </para>
/// <para>Time is read only from the injected <see cref="TimeProvider"/>. Not thread-safe.</para>
/// </remarks>
internal sealed class SamplingWindow
{
    /// <summary>The weight, in virtual intervals, of the prior mean (chitchat's additive smoothing).</summary>
    public const double PriorWeight = 5.0;

    // A node keeps one window per member, so what every window of a detector shares is held once, in the settings.
    private readonly Settings _settings;
    private BoundedArrayStats _intervals;
    private long _lastHeartbeat;
    private bool _hasLastHeartbeat;

    /// <summary>Creates an empty window.</summary>
    /// <param name="windowSize">The number of intervals kept; at least 1.</param>
    /// <param name="maxInterval">Intervals longer than this are not recorded.</param>
    /// <param name="priorInterval">The prior mean interval used for smoothing.</param>
    /// <param name="timeProvider">The clock.</param>
    public SamplingWindow(int windowSize, TimeSpan maxInterval, TimeSpan priorInterval, TimeProvider timeProvider)
        : this(new Settings(windowSize, maxInterval, priorInterval, timeProvider))
    {
    }

    /// <summary>Creates an empty window with settings shared with other windows.</summary>
    /// <param name="settings">The window size, maximum interval, prior and clock.</param>
    public SamplingWindow(Settings settings)
    {
        ArgumentNullException.ThrowIfNull(settings);
        _settings = settings;
        _intervals = new BoundedArrayStats(settings.WindowSize, settings.MaxInterval);
    }

    /// <summary>
    /// Gets or sets the failure detector's verdict on the node: live, dead or neither yet. Kept here so that a
    /// detector needs one table entry per member.
    /// </summary>
    internal NodeLivenessState Verdict { get; set; }

    /// <summary>Gets or sets when the node was found dead (a <see cref="TimeProvider"/> timestamp), while it is dead.</summary>
    internal long TimeOfDeath { get; set; }

    /// <summary>
    /// Gets or sets whether the window has been created by a heartbeat or explicitly, rather than only to hold the
    /// verdict on a node the detector was asked about but never heard from.
    /// </summary>
    internal bool IsTracking { get; set; } = true;

    /// <summary>Gets the number of intervals currently recorded.</summary>
    public int IntervalCount => _intervals.Length;

    /// <summary>Gets the timestamp (<see cref="TimeProvider.GetTimestamp"/>) of the last heartbeat, if any.</summary>
    public long? LastHeartbeatTimestamp => _hasLastHeartbeat ? _lastHeartbeat : null;

    /// <summary>
    /// Gets the smoothed mean interval in seconds used as phi's denominator, or <see langword="null"/>
    /// when no interval is recorded.
    /// </summary>
    public double? MeanIntervalSeconds
    {
        get
        {
            var count = _intervals.Length;
            return count == 0 ? null : ComputeMean(count, _intervals.Sum);
        }
    }

    /// <summary>Records a heartbeat now.</summary>
    public void ReportHeartbeat() => ReportHeartbeat(_settings.TimeProvider.GetTimestamp());

    /// <summary>Records a heartbeat at <paramref name="now"/>.</summary>
    /// <param name="now">The current timestamp of the window's <see cref="TimeProvider"/>.</param>
    public void ReportHeartbeat(long now)
    {
        if (_hasLastHeartbeat)
        {
            var interval = Elapsed(_lastHeartbeat, now);
            if (interval <= _settings.MaxInterval)
            {
                _intervals.Append(interval);
            }
        }

        // The first heartbeat only starts the clock: there is no interval to record yet.
        _lastHeartbeat = now;
        _hasLastHeartbeat = true;
    }

    /// <summary>Forgets every recorded interval; the last-heartbeat instant is kept.</summary>
    public void Reset() => _intervals.Clear();

    /// <summary>Computes phi now.</summary>
    /// <returns>Phi, or <see langword="null"/> when no interval is recorded.</returns>
    public double? Phi() => Phi(_settings.TimeProvider.GetTimestamp());

    /// <summary>Computes phi at <paramref name="now"/>.</summary>
    /// <param name="now">The current timestamp of the window's <see cref="TimeProvider"/>.</param>
    /// <returns>Phi, or <see langword="null"/> when no interval is recorded.</returns>
    public double? Phi(long now)
    {
        // With a single heartbeat there is no interval: it may be stale news about a dead node.
        var count = _intervals.Length;
        if (count == 0 || !_hasLastHeartbeat)
        {
            return null;
        }

        var mean = ComputeMean(count, _intervals.Sum);
        return ToSecondsF64(Elapsed(_lastHeartbeat, now)) / mean;
    }

    /// <summary>Returns the time elapsed since the last heartbeat, or <see langword="null"/> if none.</summary>
    /// <param name="now">The current timestamp of the window's <see cref="TimeProvider"/>.</param>
    /// <returns>The elapsed time.</returns>
    public TimeSpan? SinceLastHeartbeat(long now) => _hasLastHeartbeat ? Elapsed(_lastHeartbeat, now) : null;

    /// <summary>
    /// Converts a duration to seconds the way Rust's <c>Duration::as_secs_f64</c> does (whole seconds
    /// plus nanoseconds / 1e9), so that phi values are bit-identical to the Rust crate's.
    /// </summary>
    /// <param name="duration">A non-negative duration.</param>
    /// <returns>The duration in seconds.</returns>
    internal static double ToSecondsF64(TimeSpan duration)
    {
        var ticks = duration.Ticks;
        var seconds = ticks / TimeSpan.TicksPerSecond;
        var nanoseconds = ticks % TimeSpan.TicksPerSecond * TimeSpan.NanosecondsPerTick;
        return seconds + (nanoseconds / 1e9);
    }

    // Port of chitchat failure_detector.rs AdditiveSmoothing::compute_mean (same operation order).
    private double ComputeMean(int count, double sum) =>
        (sum + (PriorWeight * _settings.PriorMeanSeconds)) / (count + PriorWeight);

    private TimeSpan Elapsed(long from, long to)
    {
        // Rust's Instant::duration_since saturates at zero; a monotonic clock never goes back anyway.
        var elapsed = _settings.TimeProvider.GetElapsedTime(from, to);
        return elapsed < TimeSpan.Zero ? TimeSpan.Zero : elapsed;
    }

    /// <summary>What every window of a failure detector shares: size, maximum interval, prior and clock.</summary>
    internal sealed class Settings
    {
        /// <summary>Creates the settings.</summary>
        /// <param name="windowSize">The number of intervals kept; at least 1.</param>
        /// <param name="maxInterval">Intervals longer than this are not recorded.</param>
        /// <param name="priorInterval">The prior mean interval used for smoothing.</param>
        /// <param name="timeProvider">The clock.</param>
        public Settings(int windowSize, TimeSpan maxInterval, TimeSpan priorInterval, TimeProvider timeProvider)
        {
            ArgumentOutOfRangeException.ThrowIfLessThan(windowSize, 1);
            ArgumentNullException.ThrowIfNull(timeProvider);
            WindowSize = windowSize;
            MaxInterval = maxInterval;
            PriorMeanSeconds = ToSecondsF64(priorInterval);
            TimeProvider = timeProvider;
        }

        /// <summary>Gets the number of intervals kept.</summary>
        public int WindowSize { get; }

        /// <summary>Gets the longest interval recorded.</summary>
        public TimeSpan MaxInterval { get; }

        /// <summary>Gets the prior mean interval, in seconds.</summary>
        public double PriorMeanSeconds { get; }

        /// <summary>Gets the clock.</summary>
        public TimeProvider TimeProvider { get; }
    }
}
