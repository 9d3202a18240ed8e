using System.Diagnostics;

namespace Chitchat.Cli.Bench;

/// <summary>The measurements taken once the cluster has converged.</summary>
internal static partial class BenchRunner
{
    /// <summary>
    /// Crashes the last node and times how long the survivors keep listing it live (perf_test.rs
    /// <c>delay_before_detection_sample</c>, which watches node 1).
    /// </summary>
    private static async Task<bool> DetectAsync(
        BenchCluster cluster, BenchOptions options, BenchResult result, Action<string> progress, CancellationToken cancellationToken)
    {
        var last = options.NodeCount - 1;
        var crashed = cluster.Nodes[last].ChitchatId;
        var survivors = cluster.Nodes.Take(last).ToList();
        result.CrashedNode = crashed.NodeId;
        progress($"crashing {crashed.NodeId} (no goodbye)");

        var sinceCrash = Stopwatch.StartNew();
        cluster.Crash(last);
        var times = await LivenessWait.UntilAsync(survivors, live => !live.Contains(crashed), sinceCrash, options.EffectiveTimeout, cancellationToken)
            .ConfigureAwait(false);

        result.DetectedBy = times.Count(time => time is not null);
        result.DetectionFirstMs = times[1] is { } first ? Milliseconds(first) : null;
        var all = result.DetectedBy == survivors.Count;
        result.DetectionAllMs = all ? Milliseconds(times.Max()!.Value) : null;
        progress(all
            ? $"node_1 noticed the crash after {result.DetectionFirstMs} ms, every survivor after {result.DetectionAllMs} ms"
            : $"{result.DetectedBy} of {survivors.Count} survivors noticed the crash within {options.EffectiveTimeout.TotalSeconds} s");
        return all;
    }

    /// <summary>Counts what the nodes send over the window (perf_test.rs <c>test_bandwidth_aux</c>).</summary>
    private static async Task MeasureBandwidthAsync(
        BenchCluster cluster, BenchOptions options, BenchResult result, Action<string> progress, CancellationToken cancellationToken)
    {
        progress($"measuring the traffic for {options.Window.TotalSeconds} s");
        var before = cluster.Statistics;
        var window = Stopwatch.StartNew();
        await Task.Delay(options.Window, cancellationToken).ConfigureAwait(false);
        var after = cluster.Statistics;
        var seconds = window.Elapsed.TotalSeconds;

        double bytes = after.NumBytesTotal - before.NumBytesTotal;
        double messages = after.NumMessagesTotal - before.NumMessagesTotal;
        result.BytesPerSecPerNode = Round(bytes / (options.NodeCount * seconds), 1);
        result.MessagesPerSecPerNode = Round(messages / (options.NodeCount * seconds), 2);
        result.BytesPerMessage = messages == 0 ? null : Round(bytes / messages, 1);
        progress($"{result.BytesPerSecPerNode} bytes/s and {result.MessagesPerSecPerNode} messages/s per node");
    }

    /// <summary>
    /// Watches every node's view of the others for the duration and counts false deaths (perf_test.rs
    /// <c>test_faulty_network_stability_aux</c> watches node 1's live count only).
    /// </summary>
    private static async Task<bool> ObserveStabilityAsync(
        BenchCluster cluster, BenchOptions options, BenchResult result, Action<string> progress, CancellationToken cancellationToken)
    {
        progress($"watching for false deaths for {options.EffectiveDuration.TotalSeconds} s");
        var monitor = new FalseDeathMonitor(cluster.Nodes);
        await monitor.RunAsync(options.EffectiveDuration, options.GossipInterval, cancellationToken).ConfigureAwait(false);
        result.FalseDeaths = monitor.FalseDeaths;
        result.FalseDeathSubjects = monitor.Subjects;
        progress($"{result.FalseDeaths} false death declarations ({result.FalseDeathSubjects} distinct nodes)");
        return true;
    }

    /// <summary>Measures the whole process while the converged cluster gossips.</summary>
    private static async Task MeasureCpuAsync(BenchOptions options, BenchResult result, Action<string> progress, CancellationToken cancellationToken)
    {
        progress($"measuring processor time and allocations for {options.EffectiveDuration.TotalSeconds} s");
        using var stopProbe = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var lag = TimerLagProbe.RunAsync(stopProbe.Token);

        var cpuBefore = ProcessorTime();
        var allocatedBefore = GC.GetTotalAllocatedBytes(precise: true);
        int[] collectionsBefore = [GC.CollectionCount(0), GC.CollectionCount(1), GC.CollectionCount(2)];
        var pausedBefore = GC.GetTotalPauseDuration();
        var wall = Stopwatch.StartNew();

        await Task.Delay(options.EffectiveDuration, cancellationToken).ConfigureAwait(false);

        var seconds = wall.Elapsed.TotalSeconds;
        var cpu = ProcessorTime() - cpuBefore;
        var allocated = GC.GetTotalAllocatedBytes(precise: true) - allocatedBefore;
        result.GcCount = new BenchGcCounts(
            GC.CollectionCount(0) - collectionsBefore[0],
            GC.CollectionCount(1) - collectionsBefore[1],
            GC.CollectionCount(2) - collectionsBefore[2]);
        var paused = GC.GetTotalPauseDuration() - pausedBefore;
        stopProbe.Cancel();
        var (lagMean, lagMax) = await lag.ConfigureAwait(false);

        var nodeSeconds = options.NodeCount * seconds;
        result.CpuCores = Round(cpu.TotalSeconds / seconds, 3);
        result.CpuMsPerNodeSec = Round(cpu.TotalMilliseconds / nodeSeconds, 3);
        result.AllocBytesPerNodeSec = Round(allocated / nodeSeconds, 0);
        result.GcPauseMs = Milliseconds(paused);
        var lastGc = GC.GetGCMemoryInfo();
        result.HeapBytes = lastGc.Index > 0 ? lastGc.HeapSizeBytes : GC.GetTotalMemory(forceFullCollection: false);
        using (var process = Process.GetCurrentProcess())
        {
            result.WorkingSetBytes = process.WorkingSet64;
        }

        result.TimerLagMeanMs = Round(lagMean, 2);
        result.TimerLagMaxMs = Round(lagMax, 2);
        result.ThreadPoolThreads = ThreadPool.ThreadCount;

        // Last, as it disturbs the process: what the nodes really hold, after a full blocking collection.
        result.LiveHeapBytes = GC.GetTotalMemory(forceFullCollection: true);
        progress($"{result.CpuCores} cores busy, {result.CpuMsPerNodeSec} ms of processor time and {result.AllocBytesPerNodeSec} bytes allocated per node-second");
    }

    private static TimeSpan ProcessorTime()
    {
        // A fresh Process object, so that the value is read now and not from a cached snapshot.
        using var process = Process.GetCurrentProcess();
        return process.TotalProcessorTime;
    }
}
