using System.Diagnostics;
using System.Globalization;
using Chitchat.Testing.Simulation;

namespace Chitchat.Cli.Simulate;

/// <summary>Runs one scenario of <c>chitchat simulate</c> on a <see cref="ClusterSimulation"/>, in virtual time.</summary>
internal static class SimulateRunner
{
    /// <summary>Gossip intervals between two crash-and-restart steps of the churn scenario.</summary>
    internal const int ChurnPeriodRounds = 5;

    /// <summary>How many false deaths the result lists (it counts them all).</summary>
    public const int ListedFalseDeaths = 10;

    public static SimulateResult Run(SimulateOptions options, Action<string> progress, CancellationToken cancellationToken)
    {
        var wall = Stopwatch.StartNew();
        var cpuBefore = Process.GetCurrentProcess().TotalProcessorTime;
        var simulation = new ClusterSimulation(new ClusterSimulationOptions
        {
            Seed = options.Seed,
            GossipInterval = options.GossipInterval,
            ProtocolVersion = options.ProtocolVersion,
            SeedCount = options.SeedCount,
            MaxDegreeOfParallelism = options.Threads,
        });
        simulation.Network.DefaultLink = new LinkConditions { Loss = options.Loss, Delay = options.Delay, Jitter = options.Jitter };
        var nodes = simulation.AddNodes(options.NodeCount);
        progress($"{nodes.Count} nodes added ({wall.ElapsedMilliseconds} ms)");

        var result = new SimulateResult
        {
            Scenario = options.Scenario.ToString().ToLowerInvariant(),
            Nodes = options.NodeCount,
            Seed = options.Seed,
            ProtocolVersion = (int)options.ProtocolVersion,
            Loss = options.Loss,
            DelayMs = options.Delay.TotalMilliseconds,
            JitterMs = options.Jitter.TotalMilliseconds,
            IntervalMs = options.GossipInterval.TotalMilliseconds,
            DurationS = options.Duration.TotalSeconds,
            Seeds = options.SeedCount,
            Log4Nodes = Math.Log(options.NodeCount, 4),
        };

        var end = options.Duration;
        TimeSpan Remaining() => end - simulation.Elapsed > TimeSpan.Zero ? end - simulation.Elapsed : TimeSpan.Zero;
        bool RunUntil(Func<bool> condition)
        {
            // Slices of one gossip interval, so that an interruption is noticed within a slice.
            while (true)
            {
                cancellationToken.ThrowIfCancellationRequested();
                var slice = Remaining() < options.GossipInterval ? Remaining() : options.GossipInterval;
                if (simulation.RunUntil(condition, slice))
                {
                    return true;
                }

                if (Remaining() == TimeSpan.Zero)
                {
                    return false;
                }
            }
        }

        void RunFor(TimeSpan duration)
        {
            var until = simulation.Elapsed + duration < end ? simulation.Elapsed + duration : end;
            while (simulation.Elapsed < until)
            {
                cancellationToken.ThrowIfCancellationRequested();
                var left = until - simulation.Elapsed;
                simulation.RunFor(left < options.GossipInterval ? left : options.GossipInterval);
            }
        }

        var measured = false;
        if (RunUntil(simulation.IsConverged))
        {
            measured = true;
            // Rounds are counted from the first round of the last node to start (the nodes start within one interval).
            var lastStart = nodes.Max(static node => node.FirstRoundAt ?? TimeSpan.Zero);
            result.ConvergenceMs = simulation.Elapsed.TotalMilliseconds;
            result.LastStartMs = lastStart.TotalMilliseconds;
            result.ConvergenceRounds = (simulation.Elapsed - lastStart) / options.GossipInterval;
            progress(string.Create(CultureInfo.InvariantCulture, $"converged at {result.ConvergenceMs:0} ms virtual ({result.ConvergenceRounds:0.0} rounds, {wall.ElapsedMilliseconds} ms wall)"));

            // Bandwidth in the steady state.
            var windowStart = simulation.Elapsed;
            var sentBefore = simulation.Network.SentBytes;
            RunFor(options.Window);
            var window = simulation.Elapsed - windowStart;
            if (window > TimeSpan.Zero)
            {
                result.WindowS = window.TotalSeconds;
                result.BytesPerSecPerNode = (simulation.Network.SentBytes - sentBefore) / window.TotalSeconds / options.NodeCount;
            }

            switch (options.Scenario)
            {
                case SimulateScenario.Crash:
                    RunCrash(simulation, nodes, result, RunUntil, progress);
                    break;
                case SimulateScenario.Partition:
                    RunPartition(simulation, nodes, result, RunUntil, progress);
                    break;
                case SimulateScenario.Churn:
                    result.Restarts = RunChurn(simulation, nodes, options, result, RunUntil, RunFor, Remaining, progress);
                    break;
            }
        }
        else
        {
            progress($"not converged within {options.Duration.TotalSeconds} s virtual");
        }

        if (!(measured && options.StopWhenMeasured))
        {
            RunFor(Remaining());
        }

        result.DurationS = simulation.Elapsed.TotalSeconds;
        result.ConvergedAtEnd = simulation.IsConverged();
        result.FalseDeaths = simulation.FalseDeathCount;
        result.FirstFalseDeaths = simulation.FalseDeaths.Count == 0
            ? null
            : simulation.FalseDeaths.Take(ListedFalseDeaths)
                .Select(static death => new SimulateFalseDeath(death.Observer.NodeId, death.Subject.NodeId, death.At.TotalMilliseconds))
                .ToList();
        result.GossipRounds = simulation.GossipRounds;
        result.SentDatagrams = simulation.Network.SentDatagrams;
        result.DeliveredDatagrams = simulation.Network.DeliveredDatagrams;
        result.DeliveredBytes = simulation.Network.DeliveredBytes;
        result.Events = simulation.ProcessedEvents;
        result.TraceHash = simulation.TraceHash.ToString("x16", CultureInfo.InvariantCulture);
        result.WallMs = wall.ElapsedMilliseconds;
        result.CpuMs = (long)(Process.GetCurrentProcess().TotalProcessorTime - cpuBefore).TotalMilliseconds;
        result.Threads = options.Threads;
        return result;
    }

    private static void RunCrash(ClusterSimulation simulation, IReadOnlyList<SimulatedNode> nodes, SimulateResult result, Func<Func<bool>, bool> runUntil, Action<string> progress)
    {
        // The last node: never a seed when there are more nodes than seeds.
        var crashed = nodes[^1];
        var crashedId = crashed.Id;
        var start = simulation.Elapsed;
        crashed.Crash();
        if (runUntil(() => simulation.IsSeenDeadByAll(crashedId)))
        {
            result.DetectionMs = (simulation.Elapsed - start).TotalMilliseconds;
            progress(string.Create(CultureInfo.InvariantCulture, $"{crashed.NodeId} seen dead by all after {result.DetectionMs:0} ms virtual"));
        }
    }

    private static void RunPartition(ClusterSimulation simulation, IReadOnlyList<SimulatedNode> nodes, SimulateResult result, Func<Func<bool>, bool> runUntil, Action<string> progress)
    {
        // Alternate nodes on each side, so that with two seeds or more each side keeps one.
        var left = nodes.Where(static node => node.Index % 2 == 0).ToList();
        var right = nodes.Where(static node => node.Index % 2 == 1).ToList();
        var start = simulation.Elapsed;
        simulation.Network.Partition(left, right);
        if (!runUntil(() => CutOff(left, right) && CutOff(right, left)))
        {
            return;
        }

        result.DetectionMs = (simulation.Elapsed - start).TotalMilliseconds;
        progress(string.Create(CultureInfo.InvariantCulture, $"each side sees the other dead after {result.DetectionMs:0} ms virtual; healing"));
        var healed = simulation.Elapsed;
        simulation.Network.Heal();
        if (runUntil(simulation.IsConverged))
        {
            result.ReconvergenceMs = (simulation.Elapsed - healed).TotalMilliseconds;
            progress(string.Create(CultureInfo.InvariantCulture, $"reconverged {result.ReconvergenceMs:0} ms virtual after the heal"));
        }
    }

    private static int RunChurn(
        ClusterSimulation simulation,
        IReadOnlyList<SimulatedNode> nodes,
        SimulateOptions options,
        SimulateResult result,
        Func<Func<bool>, bool> runUntil,
        Action<TimeSpan> runFor,
        Func<TimeSpan> remaining,
        Action<string> progress)
    {
        // Churn for the first half of the time left, then let the cluster settle. Each step crashes one random
        // non-seed node and restarts the one crashed at the step before, so one node at most is down at a time.
        var random = new Random(options.Seed);
        var step = options.GossipInterval * ChurnPeriodRounds;
        var churnEnd = simulation.Elapsed + (remaining() / 2);
        SimulatedNode? down = null;
        var restarts = 0;
        var candidates = nodes.Skip(options.SeedCount).ToList();
        while (candidates.Count > 0 && simulation.Elapsed + step <= churnEnd)
        {
            down?.Restart();
            restarts += down is null ? 0 : 1;
            down = candidates[random.Next(candidates.Count)];
            down.Crash();
            runFor(step);
        }

        down?.Restart();
        restarts += down is null ? 0 : 1;
        progress($"{restarts} restarts; waiting for the cluster to settle");
        var settled = simulation.Elapsed;
        if (runUntil(simulation.IsConverged))
        {
            result.ReconvergenceMs = (simulation.Elapsed - settled).TotalMilliseconds;
        }

        return restarts;
    }

    private static bool CutOff(List<SimulatedNode> observers, List<SimulatedNode> subjects)
    {
        foreach (var observer in observers)
        {
            var live = observer.Chitchat.LiveMembers.Current;
            foreach (var subject in subjects)
            {
                if (live.Contains(subject.Id))
                {
                    return false;
                }
            }
        }

        return true;
    }
}
