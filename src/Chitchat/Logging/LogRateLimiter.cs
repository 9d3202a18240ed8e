namespace Chitchat.Logging;

/// <summary>
/// Limits a log event that a remote peer can trigger once per datagram (a bad datagram, a foreign cluster, a
/// rejected delta) to a burst of <see cref="Burst"/> events per <see cref="Window"/>, so that a flood of junk
/// cannot flood the logs. The first event after a quiet spell reports how many were suppressed.
/// </summary>
/// <remarks>Thread-safe and allocation-free. Time is read from the injected <see cref="TimeProvider"/>.</remarks>
internal sealed class LogRateLimiter
{
    /// <summary>The number of events logged per window.</summary>
    public const int Burst = 10;

    /// <summary>The length of a window.</summary>
    public static readonly TimeSpan Window = TimeSpan.FromSeconds(10);

    private readonly Lock _gate = new();
    private readonly TimeProvider _timeProvider;
    private long _windowStart;
    private int _logged;
    private long _suppressed;
    private bool _started;

    public LogRateLimiter(TimeProvider? timeProvider = null)
    {
        _timeProvider = timeProvider ?? TimeProvider.System;
    }

    /// <summary>Returns whether to log this event, and how many were suppressed since the last one logged.</summary>
    /// <param name="suppressed">The number of events dropped since the previous logged one.</param>
    /// <returns>Whether to log.</returns>
    public bool TryAcquire(out long suppressed)
    {
        var now = _timeProvider.GetTimestamp();
        lock (_gate)
        {
            if (!_started || _timeProvider.GetElapsedTime(_windowStart, now) >= Window)
            {
                _started = true;
                _windowStart = now;
                _logged = 0;
            }

            if (_logged < Burst)
            {
                _logged++;
                suppressed = _suppressed;
                _suppressed = 0;
                return true;
            }

            _suppressed++;
            suppressed = 0;
            return false;
        }
    }
}
