namespace Chitchat.Tests;

/// <summary>Measures bytes allocated on the current thread by an action.</summary>
internal static class AllocationMeter
{
    /// <summary>
    /// Runs <paramref name="action"/> several times and returns the smallest allocation of one run. The runtime
    /// itself occasionally allocates on the test thread (tiered JIT, thread statics); a real per-call allocation
    /// shows up in every run, so the minimum keeps the assertion strict without being flaky.
    /// </summary>
    public static long Minimum(Action action, int attempts = 5)
    {
        var least = long.MaxValue;
        for (var attempt = 0; attempt < attempts; attempt++)
        {
            var before = GC.GetAllocatedBytesForCurrentThread();
            action();
            least = Math.Min(least, GC.GetAllocatedBytesForCurrentThread() - before);
        }

        return least;
    }
}
