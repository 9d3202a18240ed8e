using System.Diagnostics;

namespace Chitchat.Cli.Bench;

/// <summary>The scale scenario: clusters of growing size, until one no longer keeps up in real time.</summary>
internal static partial class BenchRunner
{
    /// <summary>The share of its scheduled gossip rounds a node must complete to be keeping up.</summary>
    public const double OnScheduleThreshold = 0.9;

    /// <summary>
    /// Measures clusters of <see cref="BenchOptions.Sizes"/> nodes, each on a fresh cluster, and stops after the
    /// first one that does not keep up (a larger one would not either).
    /// </summary>
    /// <param name="options">The scale scenario; <see cref="BenchOptions.NodeCount"/> is the largest cluster.</param>
    /// <param name="step">Receives the result of each cluster size as soon as it is measured; may be null.</param>
    /// <param name="progress">Receives a line at each step; may be null.</param>
    /// <param name="cancellationToken">Stops the sweep early; the nodes are still shut down.</param>
    /// <returns>Where real time stops keeping up.</returns>
    /// <exception cref="ArgumentException">The options are invalid, or not of the scale scenario.</exception>
    /// <exception cref="IOException">A node could not open its socket.</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled.</exception>
    public static async Task<BenchScaleSummary> RunScaleAsync(
        BenchOptions options, Action<BenchResult>? step = null, Action<string>? progress = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (options.Scenario != BenchScenario.Scale)
        {
            throw new ArgumentException("The options are not those of the scale scenario.", nameof(options));
        }

        if (options.Validate() is { } error)
        {
            throw new ArgumentException(error, nameof(options));
        }

        progress ??= static _ => { };
        var sizes = options.Sizes;
        var results = new List<BenchResult>(sizes.Count);
        foreach (var size in sizes)
        {
            progress($"scale: {size} nodes");
            var result = await RunAsync(options with { NodeCount = size }, progress, cancellationToken).ConfigureAwait(false);
            results.Add(result);
            step?.Invoke(result);
            if (result.KeepsUp != true)
            {
                break;
            }
        }

        var failure = results.FirstOrDefault(result => result.KeepsUp != true);
        return new BenchScaleSummary
        {
            Transport = options.Transport.ToString().ToLowerInvariant(),
            IntervalMs = options.GossipInterval.TotalMilliseconds,
            ProtocolVersion = (int)options.ProtocolVersion,
            MaxNodes = options.NodeCount,
            Step = options.EffectiveStep,
            DurationS = options.EffectiveDuration.TotalSeconds,
            KeepsUpTo = results.Where(result => result.KeepsUp == true).Select(result => (int?)result.Nodes).LastOrDefault(),
            FirstFailureNodes = failure?.Nodes,
            FirstFailure = failure?.Verdict,
            Steps = results,
        };
    }

    /// <summary>
    /// Observes a cluster for the duration and decides whether real time keeps up with it: it converged, no live
    /// node was declared dead, and the nodes completed at least <see cref="OnScheduleThreshold"/> of their gossip
    /// rounds. Also records what shows the process falling behind: timer lag, processor and GC time, drops.
    /// </summary>
    private static async Task ObserveScaleStepAsync(
        BenchCluster cluster, BenchOptions options, bool converged, BenchResult result, Action<string> progress, CancellationToken cancellationToken)
    {
        if (!converged)
        {
            result.KeepsUp = false;
            result.Verdict = $"did not converge within {options.EffectiveTimeout.TotalSeconds:0.#} s ({result.ConvergedNodes} of {options.NodeCount} nodes saw all live)";
            return;
        }

        var duration = options.EffectiveDuration;
        progress($"observing the converged cluster for {duration.TotalSeconds} s");
        using var stopProbe = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var lag = TimerLagProbe.RunAsync(stopProbe.Token);
        var monitor = new FalseDeathMonitor(cluster.Nodes);
        var roundsBefore = CompletedRounds(cluster);
        var dropsBefore = Drops(cluster, options);
        var cpuBefore = ProcessorTime();
        var pausedBefore = GC.GetTotalPauseDuration();
        var wall = Stopwatch.StartNew();

        await monitor.RunAsync(duration, options.GossipInterval, cancellationToken).ConfigureAwait(false);

        var seconds = wall.Elapsed.TotalSeconds;
        var rounds = CompletedRounds(cluster) - roundsBefore;
        var cpu = ProcessorTime() - cpuBefore;
        var paused = GC.GetTotalPauseDuration() - pausedBefore;
        var drops = Drops(cluster, options) - dropsBefore;
        stopProbe.Cancel();
        var (lagMean, lagMax) = await lag.ConfigureAwait(false);

        result.FalseDeaths = monitor.FalseDeaths;
        result.FalseDeathSubjects = monitor.Subjects;
        result.RoundsPerSecPerNode = Round(rounds / (options.NodeCount * seconds), 3);
        result.RoundsOnSchedule = Round(rounds * options.GossipInterval.TotalSeconds / (options.NodeCount * seconds), 3);
        result.CpuCores = Round(cpu.TotalSeconds / seconds, 3);
        result.CpuMsPerNodeSec = Round(cpu.TotalMilliseconds / (options.NodeCount * seconds), 3);
        result.GcPauseMs = Milliseconds(paused);
        result.TimerLagMeanMs = Round(lagMean, 2);
        result.TimerLagMaxMs = Round(lagMax, 2);
        result.DropsInWindow = drops;

        var problems = new List<string>();
        if (result.FalseDeaths > 0)
        {
            problems.Add($"{result.FalseDeaths} false death declarations ({result.FalseDeathSubjects} distinct nodes) in {duration.TotalSeconds:0.#} s");
        }

        if (result.RoundsOnSchedule < OnScheduleThreshold)
        {
            problems.Add($"gossip rounds at {result.RoundsOnSchedule * 100:0} % of their schedule");
        }

        result.KeepsUp = problems.Count == 0;
        result.Verdict = problems.Count == 0 ? "keeps up" : string.Join("; ", problems);
        progress($"{options.NodeCount} nodes: {result.Verdict} ({result.RoundsPerSecPerNode} rounds/s per node, {result.CpuCores} cores busy, timer late by {result.TimerLagMaxMs} ms at most)");
    }

    private static long CompletedRounds(BenchCluster cluster)
    {
        var rounds = 0L;
        foreach (var node in cluster.Nodes)
        {
            rounds += node.CompletedGossipRounds;
        }

        return rounds;
    }

    /// <summary>Messages dropped so far for lack of room: by the inboxes in memory, by the kernel over UDP.</summary>
    private static long Drops(BenchCluster cluster, BenchOptions options) =>
        options.Transport == BenchTransportKind.Udp
            ? KernelUdpDrops.TryRead(out var kernelDrops) ? kernelDrops : 0
            : cluster.InboxDrops ?? 0;
}
