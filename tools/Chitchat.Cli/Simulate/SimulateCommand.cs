using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using Chitchat.Cli.Common;

namespace Chitchat.Cli.Simulate;

/// <summary>
/// <c>chitchat simulate</c>: a cluster of real chitchat state machines on a simulated network, in virtual time and
/// deterministic (the same seed gives the same trace hash). Prints a summary, or one JSON object with <c>--json</c>.
/// </summary>
internal static class SimulateCommand
{
    public static Command Create()
    {
        var nodes = CliOptions.Create<int>("nodes", "The number of nodes; the first --seeds of them are every node's seeds.");
        nodes.HelpName = "n";
        nodes.DefaultValueFactory = _ => 100;
        var seed = CliOptions.Create<int>("seed", "Seeds every random draw of the run: the same seed gives the same run, datagram for datagram.");
        seed.HelpName = "s";
        var loss = CliOptions.Create<double>("loss", "The probability that a datagram is lost, on every link.");
        loss.HelpName = "p";
        var delay = CliOptions.Create<double>("delay_ms", "The one-way delay of every datagram, in milliseconds.");
        delay.HelpName = "ms";
        delay.DefaultValueFactory = _ => 1;
        var jitter = CliOptions.Create<double>("jitter_ms", "The largest extra delay of a datagram (uniform), in milliseconds.");
        jitter.HelpName = "ms";
        var duration = CliOptions.Create<double>("duration_s", "The virtual time the run covers, in seconds.");
        duration.HelpName = "s";
        duration.DefaultValueFactory = _ => 60;
        var window = CliOptions.Create<double>("window_s", "The bandwidth measurement window after convergence, in virtual seconds.");
        window.HelpName = "s";
        window.DefaultValueFactory = _ => 10;
        var interval = CliOptions.Milliseconds("interval_ms", "The gossip interval, also the failure detector's initial interval.", 1000);
        var seeds = CliOptions.Create<int>("seeds", "How many of the first nodes are seeds.");
        seeds.HelpName = "n";
        seeds.DefaultValueFactory = _ => 1;
        var scenario = CliOptions.Create<string>("scenario", "converge: convergence and the steady state; crash: one node crashes; partition: two halves split, then heal; churn: nodes crash and restart.");
        scenario.AcceptOnlyFromAmong(Enum.GetNames<SimulateScenario>().Select(static name => name.ToLowerInvariant()).ToArray());
        scenario.DefaultValueFactory = _ => "converge";
        var threads = CliOptions.Create<int>("threads", "How many threads may run nodes at once; the run (and its trace hash) does not depend on it. [default: the processor count]");
        threads.HelpName = "n";
        threads.DefaultValueFactory = _ => Environment.ProcessorCount;
        var protocolVersion = CliOptions.ProtocolVersion();
        var stop = CliOptions.Create<bool>("stop_when_measured", "End the run once the cluster converged and the scenario's figures are measured, instead of at --duration_s (which then only bounds it): large clusters cost minutes per virtual second.");
        var json = CliOptions.Create<bool>("json", "Print one JSON object (snake_case) instead of a summary.");

        var command = new Command("simulate", "Simulate a cluster in virtual time, deterministically: convergence, crash detection, partitions and churn on a lossy network, thousands of nodes on one machine.")
        {
            nodes, seed, loss, delay, jitter, duration, window, interval, seeds, scenario, protocolVersion, threads, stop, json,
        };
        command.SetAction(async (parseResult, _) =>
        {
            var options = new SimulateOptions
            {
                Scenario = Enum.Parse<SimulateScenario>(parseResult.GetValue(scenario)!, ignoreCase: true),
                NodeCount = parseResult.GetValue(nodes),
                Seed = parseResult.GetValue(seed),
                Loss = parseResult.GetValue(loss),
                Delay = TimeSpan.FromMilliseconds(parseResult.GetValue(delay)),
                Jitter = TimeSpan.FromMilliseconds(parseResult.GetValue(jitter)),
                Duration = TimeSpan.FromSeconds(parseResult.GetValue(duration)),
                Window = TimeSpan.FromSeconds(parseResult.GetValue(window)),
                GossipInterval = TimeSpan.FromMilliseconds(parseResult.GetValue(interval)),
                SeedCount = parseResult.GetValue(seeds),
                ProtocolVersion = parseResult.GetValue(protocolVersion),
                Threads = parseResult.GetValue(threads),
                StopWhenMeasured = parseResult.GetValue(stop),
            };
            return await RunAsync(options, parseResult.GetValue(json)).ConfigureAwait(false);
        });
        return command;
    }

    public static async Task<int> RunAsync(SimulateOptions options, bool json)
    {
        if (options.Validate() is { } error)
        {
            await Console.Error.WriteLineAsync($"error: {error}").ConfigureAwait(false);
            return ExitCodes.Usage;
        }

        using var signal = new ShutdownSignal();
        var started = System.Diagnostics.Stopwatch.StartNew();
        void Progress(string line) =>
            Console.Error.WriteLine($"[{started.Elapsed.TotalSeconds.ToString("0.0", CultureInfo.InvariantCulture),6} s] {line}");

        SimulateResult result;
        try
        {
            // The simulation is synchronous and single-threaded; run it off the caller's thread so that the
            // signal handler stays responsive.
            result = await Task.Run(() => SimulateRunner.Run(options, Progress, signal.Token), signal.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (signal.Token.IsCancellationRequested)
        {
            await Console.Error.WriteLineAsync($"Interrupted ({signal.SignalName}).").ConfigureAwait(false);
            return ExitCodes.Interrupted;
        }

        if (json)
        {
            await Console.Out.WriteLineAsync(JsonSerializer.Serialize(result, SimulateJsonContext.Default.SimulateResult)).ConfigureAwait(false);
        }
        else
        {
            foreach (var line in Summary(result))
            {
                await Console.Out.WriteLineAsync(line).ConfigureAwait(false);
            }
        }

        return ExitCodes.Success;
    }

    private static IEnumerable<string> Summary(SimulateResult result)
    {
        static string Ms(double? value) => value is { } ms ? string.Create(CultureInfo.InvariantCulture, $"{ms:0} ms") : "not reached";
        var inv = CultureInfo.InvariantCulture;
        yield return string.Create(inv, $"simulate {result.Scenario}: {result.Nodes} nodes, seed {result.Seed}, protocol V{result.ProtocolVersion}, loss {result.Loss:0.###}, delay {result.DelayMs:0.#} ms + jitter {result.JitterMs:0.#} ms, gossip every {result.IntervalMs:0} ms, {result.DurationS:0.#} s virtual");
        yield return string.Create(inv, $"  convergence      {Ms(result.ConvergenceMs)} virtual ({(result.ConvergenceRounds is { } r ? r.ToString("0.0", inv) : "-")} rounds; log4(N) = {result.Log4Nodes:0.0})");
        if (result.DetectionMs is not null || result.Scenario is "crash" or "partition")
        {
            yield return $"  detection        {Ms(result.DetectionMs)} virtual";
        }

        if (result.ReconvergenceMs is not null || result.Scenario is "partition" or "churn")
        {
            yield return $"  reconvergence    {Ms(result.ReconvergenceMs)} virtual";
        }

        if (result.Restarts is { } restarts)
        {
            yield return string.Create(inv, $"  restarts         {restarts}");
        }

        yield return string.Create(inv, $"  bandwidth        {(result.BytesPerSecPerNode is { } b ? (b / 1024).ToString("0.0", inv) + " KiB/s per node" : "-")}");
        yield return string.Create(inv, $"  false deaths     {result.FalseDeaths}");
        foreach (var death in result.FirstFalseDeaths ?? [])
        {
            yield return string.Create(inv, $"                   {death.Observer} declared {death.Subject} dead at {death.AtMs:0} ms virtual");
        }
        yield return string.Create(inv, $"  converged at end {(result.ConvergedAtEnd ? "yes" : "no")}");
        yield return string.Create(inv, $"  datagrams        {result.SentDatagrams} sent, {result.DeliveredDatagrams} delivered ({result.DeliveredBytes / (1024.0 * 1024):0.0} MiB); {result.GossipRounds} gossip rounds, {result.Events} events");
        yield return string.Create(inv, $"  wall time        {result.WallMs} ms ({result.CpuMs} ms processor time, {result.Threads} threads)");
        yield return $"  trace hash       {result.TraceHash}";
    }
}
