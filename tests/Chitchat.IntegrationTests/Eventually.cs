using System.Diagnostics;

namespace Chitchat.IntegrationTests;

/// <summary>Polling assertions with a deadline, for scenarios that run in real time.</summary>
internal static class Eventually
{
    /// <summary>The polling period (chitchat's cluster tests poll every 100 ms).</summary>
    public static readonly TimeSpan PollInterval = TimeSpan.FromMilliseconds(50);

    /// <summary>Polls <paramref name="condition"/> until it holds; fails with <paramref name="because"/> after <paramref name="timeout"/>.</summary>
    public static Task HoldsAsync(Func<bool> condition, TimeSpan timeout, string because) =>
        HoldsAsync(() => Task.FromResult(condition()), timeout, because);

    /// <summary>Polls an asynchronous <paramref name="condition"/> until it holds; fails after <paramref name="timeout"/>.</summary>
    public static async Task HoldsAsync(Func<Task<bool>> condition, TimeSpan timeout, string because)
    {
        var stopwatch = Stopwatch.StartNew();
        while (!await condition())
        {
            if (stopwatch.Elapsed > timeout)
            {
                throw new Xunit.Sdk.XunitException($"Timed out after {timeout} waiting until {because}.");
            }

            await Task.Delay(PollInterval);
        }
    }
}
