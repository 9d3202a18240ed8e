namespace Chitchat.Testing.Simulation;

/// <summary>
/// The virtual clock of a <see cref="ClusterSimulation"/>: the <see cref="TimeProvider"/> of every simulated node.
/// Time only moves when the simulation runs events; timers fire from the simulation's event loop.
/// </summary>
/// <remarks>Not thread-safe: used by the simulation's single thread.</remarks>
internal sealed class VirtualClock : TimeProvider
{
    // A fixed wall-clock origin, so that a run's GetUtcNow values do not depend on when it runs.
    internal static readonly DateTimeOffset Epoch = new(2030, 1, 1, 0, 0, 0, TimeSpan.Zero);

    private readonly ClusterSimulation _simulation;

    public VirtualClock(ClusterSimulation simulation)
    {
        _simulation = simulation;
    }

    /// <summary>Gets or sets the virtual time, in <see cref="TimeSpan"/> ticks since the simulation started.</summary>
    internal long Now { get; set; }

    public override long TimestampFrequency => TimeSpan.TicksPerSecond;

    public override TimeZoneInfo LocalTimeZone => TimeZoneInfo.Utc;

    public override long GetTimestamp() => Now;

    public override DateTimeOffset GetUtcNow() => Epoch.AddTicks(Now);

    public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period)
    {
        ArgumentNullException.ThrowIfNull(callback);
        var timer = new VirtualTimer(_simulation, callback, state);
        timer.Change(dueTime, period);
        return timer;
    }
}
