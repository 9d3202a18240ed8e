using System.Diagnostics;
using System.Runtime;

namespace Chitchat.Cli.Bench;

/// <summary>
/// Runs one <c>chitchat bench</c> scenario in this process: spawns the cluster, waits for convergence, takes the
/// scenario's measurement and stops every node. The in-process entry point of the command and of its tests.
/// </summary>
/// <remarks>
/// Every wait is bounded (<see cref="BenchOptions.EffectiveTimeout"/>), so a run ends by itself even if its goal
/// is never reached; it then reports <see cref="BenchResult.Reached"/> false. Waits for a liveness condition follow
/// each node's live-nodes watch; only the stability monitor also samples on a timer (every gossip interval), and
/// progress lines read the live counts every 5 seconds.
/// </remarks>
internal static partial class BenchRunner
{
    /// <summary>Runs the scenario of <paramref name="options"/>.</summary>
    /// <param name="options">The scenario and its parameters.</param>
    /// <param name="progress">Receives a line at each step (spawned, converged, …); may be null.</param>
    /// <param name="cancellationToken">Stops the run early; the nodes are still shut down.</param>
    /// <returns>The parameters and the figures measured.</returns>
    /// <exception cref="ArgumentException">The options are invalid.</exception>
    /// <exception cref="IOException">A node could not open its socket.</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled.</exception>
    public static async Task<BenchResult> RunAsync(BenchOptions options, Action<string>? progress = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (options.Validate() is { } error)
        {
            throw new ArgumentException(error, nameof(options));
        }

        progress ??= static _ => { };
        var result = NewResult(options);
        var clock = Stopwatch.StartNew();
        var cluster = new BenchCluster(options);
        await using (cluster.ConfigureAwait(false))
        {
            await cluster.SpawnAllAsync(cancellationToken).ConfigureAwait(false);
            result.SpawnMs = Milliseconds(clock.Elapsed);
            progress($"spawned {options.NodeCount} nodes in {result.SpawnMs} ms");

            var converged = await ConvergeAsync(cluster, options, clock, result, progress, cancellationToken).ConfigureAwait(false);
            switch (options.Scenario)
            {
                case BenchScenario.Convergence:
                    result.Reached = converged;
                    break;
                case BenchScenario.Detection:
                    result.Reached = converged && await DetectAsync(cluster, options, result, progress, cancellationToken).ConfigureAwait(false);
                    break;
                case BenchScenario.Bandwidth:
                    // Measured even without convergence: how much a cluster that does not keep up sends is informative.
                    await MeasureBandwidthAsync(cluster, options, result, progress, cancellationToken).ConfigureAwait(false);
                    result.Reached = converged;
                    break;
                case BenchScenario.Stability:
                    result.Reached = converged && await ObserveStabilityAsync(cluster, options, result, progress, cancellationToken).ConfigureAwait(false);
                    break;
                case BenchScenario.Cpu:
                    await MeasureCpuAsync(options, result, progress, cancellationToken).ConfigureAwait(false);
                    result.Reached = converged;
                    break;
                case BenchScenario.Scale:
                    await ObserveScaleStepAsync(cluster, options, converged, result, progress, cancellationToken).ConfigureAwait(false);
                    result.Reached = result.KeepsUp == true;
                    break;
                default:
                    throw new ArgumentOutOfRangeException(nameof(options), options.Scenario, "Unknown scenario.");
            }

            result.ElapsedMs = Milliseconds(clock.Elapsed);
            if (options.Transport == BenchTransportKind.Udp && KernelUdpDrops.TryRead(out var kernelDrops))
            {
                // Before the sockets close: the counters are theirs.
                result.KernelDrops = kernelDrops;
            }

            result.InboxDrops = cluster.InboxDrops;

            progress("stopping the nodes");
        }

        return result;
    }

    private static BenchResult NewResult(BenchOptions options) => new()
    {
        Scenario = options.Scenario.ToString().ToLowerInvariant(),
        Nodes = options.NodeCount,
        Transport = options.Transport.ToString().ToLowerInvariant(),
        IntervalMs = options.GossipInterval.TotalMilliseconds,
        ProtocolVersion = (int)options.ProtocolVersion,
        Drop = options.EffectiveDrop,
        Seed = options.Seed,
        TimeoutS = options.EffectiveTimeout.TotalSeconds,
        WindowS = options.Scenario == BenchScenario.Bandwidth ? options.Window.TotalSeconds : null,
        DurationS = options.Scenario is BenchScenario.Stability or BenchScenario.Cpu or BenchScenario.Scale ? options.EffectiveDuration.TotalSeconds : null,
        ProcessorCount = Environment.ProcessorCount,
        Runtime = Environment.Version.ToString(),
        ServerGc = GCSettings.IsServerGC,
    };

    /// <summary>Waits until every node sees all N nodes live (perf_test.rs <c>test_bandwidth_aux</c>'s wait).</summary>
    private static async Task<bool> ConvergeAsync(
        BenchCluster cluster, BenchOptions options, Stopwatch clock, BenchResult result, Action<string> progress, CancellationToken cancellationToken)
    {
        var n = options.NodeCount;
        using var stopReports = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var reports = ReportConvergenceAsync(cluster, n, progress, stopReports.Token);
        TimeSpan?[] times;
        try
        {
            times = await LivenessWait.UntilAsync(cluster.Nodes, live => live.Count == n, clock, options.EffectiveTimeout, cancellationToken)
                .ConfigureAwait(false);
        }
        finally
        {
            stopReports.Cancel();
            await reports.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        }

        result.ConvergedNodes = times.Count(time => time is not null);
        var counts = LiveCounts(cluster);
        result.LiveCountMin = counts.Min();
        result.LiveCountMean = Round(counts.Average(), 1);
        if (result.ConvergedNodes == n)
        {
            result.ConvergenceMs = Milliseconds(times.Max()!.Value);
            progress($"converged: every node sees {n} live after {result.ConvergenceMs} ms");
            return true;
        }

        progress($"not converged: {result.ConvergedNodes} of {n} nodes saw all {n} live within {options.EffectiveTimeout.TotalSeconds} s"
            + $" (live counts: min {result.LiveCountMin}, mean {result.LiveCountMean})");
        return false;
    }

    /// <summary>Reports the live counts every 5 seconds while the cluster converges slowly.</summary>
    private static async Task ReportConvergenceAsync(BenchCluster cluster, int n, Action<string> progress, CancellationToken cancellationToken)
    {
        using var timer = new PeriodicTimer(TimeSpan.FromSeconds(5));
        while (await timer.WaitForNextTickAsync(cancellationToken).ConfigureAwait(false))
        {
            var counts = LiveCounts(cluster);
            progress($"converging: {counts.Count(count => count == n)} of {n} nodes see all live (live counts: min {counts.Min()}, mean {Round(counts.Average(), 1)})");
        }
    }

    private static int[] LiveCounts(BenchCluster cluster) =>
        cluster.Nodes.Select(node => node.Chitchat.LiveMembers.Current.Count).ToArray();

    private static long Milliseconds(TimeSpan time) => (long)Math.Round(time.TotalMilliseconds);

    private static double Round(double value, int decimals) => Math.Round(value, decimals, MidpointRounding.AwayFromZero);
}
