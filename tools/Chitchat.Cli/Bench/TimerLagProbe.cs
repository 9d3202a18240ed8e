using System.Diagnostics;

namespace Chitchat.Cli.Bench;

/// <summary>
/// Measures how late a periodic 100 ms timer fires: the time ready work waits for a thread-pool thread. Near 0
/// while the process keeps up with its nodes; it grows when the processors are saturated.
/// </summary>
internal static class TimerLagProbe
{
    private static readonly TimeSpan s_period = TimeSpan.FromMilliseconds(100);

    /// <summary>Samples the lag until <paramref name="cancellationToken"/> is cancelled.</summary>
    /// <returns>The mean and maximum lag in milliseconds (0 if no tick was sampled).</returns>
    public static async Task<(double MeanMs, double MaxMs)> RunAsync(CancellationToken cancellationToken)
    {
        var clock = Stopwatch.StartNew();
        var expected = TimeSpan.Zero;
        var sum = 0.0;
        var max = 0.0;
        var count = 0;
        while (!cancellationToken.IsCancellationRequested)
        {
            expected += s_period;
            var wait = expected - clock.Elapsed;
            try
            {
                if (wait > TimeSpan.Zero)
                {
                    await Task.Delay(wait, cancellationToken).ConfigureAwait(false);
                }
            }
            catch (OperationCanceledException)
            {
                break;
            }

            var lag = Math.Max(0.0, (clock.Elapsed - expected).TotalMilliseconds);
            sum += lag;
            max = Math.Max(max, lag);
            count++;

            // After a long stall, measure the next tick from now rather than firing a burst of late ticks.
            if (clock.Elapsed - expected > s_period)
            {
                expected = clock.Elapsed;
            }
        }

        return count == 0 ? (0.0, 0.0) : (sum / count, max);
    }
}
