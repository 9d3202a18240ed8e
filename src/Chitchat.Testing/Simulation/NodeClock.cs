namespace Chitchat.Testing.Simulation;

/// <summary>
/// The <see cref="TimeProvider"/> of one simulated node: while the node handles an event it reads that event's
/// virtual time, otherwise the simulation's. Nodes that run at once on different threads thus each see their own
/// time, and no clock is shared between threads.
/// </summary>
internal sealed class NodeClock : TimeProvider
{
    private readonly VirtualClock _simulationClock;
    private long _eventTime;
    private bool _inEvent;

    public NodeClock(VirtualClock simulationClock)
    {
        _simulationClock = simulationClock;
    }

    public override long TimestampFrequency => TimeSpan.TicksPerSecond;

    public override TimeZoneInfo LocalTimeZone => TimeZoneInfo.Utc;

    public override long GetTimestamp() => _inEvent ? _eventTime : _simulationClock.Now;

    public override DateTimeOffset GetUtcNow() => VirtualClock.Epoch.AddTicks(GetTimestamp());

    /// <summary>Timers run on the simulation's event loop (the node's own code creates none).</summary>
    public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period) =>
        _simulationClock.CreateTimer(callback, state, dueTime, period);

    /// <summary>Makes the clock read <paramref name="time"/> until <see cref="Exit"/>.</summary>
    public void Enter(long time)
    {
        _eventTime = time;
        _inEvent = true;
    }

    public void Exit() => _inEvent = false;
}
