namespace Chitchat.Testing.Simulation;

/// <summary>A timer of the <see cref="VirtualClock"/>: its callback runs on the simulation's event loop, in virtual time.</summary>
internal sealed class VirtualTimer : ITimer
{
    private readonly ClusterSimulation _simulation;
    private readonly TimerCallback _callback;
    private readonly object? _state;
    private long _period;

    public VirtualTimer(ClusterSimulation simulation, TimerCallback callback, object? state)
    {
        _simulation = simulation;
        _callback = callback;
        _state = state;
    }

    /// <summary>Gets the arming number: an event scheduled for an older arming is stale and ignored.</summary>
    internal int Arming { get; private set; }

    public bool Change(TimeSpan dueTime, TimeSpan period)
    {
        if (Arming < 0)
        {
            return false;
        }

        Arming++;
        _period = period == Timeout.InfiniteTimeSpan ? 0 : Math.Max(1, period.Ticks);
        if (dueTime != Timeout.InfiniteTimeSpan)
        {
            _simulation.ScheduleTimer(this, Math.Max(0, dueTime.Ticks));
        }

        return true;
    }

    /// <summary>Runs the callback and re-arms a periodic timer.</summary>
    internal void Fire()
    {
        var arming = Arming;
        _callback(_state);
        if (_period > 0 && Arming == arming)
        {
            _simulation.ScheduleTimer(this, _period);
        }
    }

    public void Dispose() => Arming = -1;

    public ValueTask DisposeAsync()
    {
        Dispose();
        return ValueTask.CompletedTask;
    }
}
