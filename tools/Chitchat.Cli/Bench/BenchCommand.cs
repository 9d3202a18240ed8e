using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using Chitchat.Cli.Common;

namespace Chitchat.Cli.Bench;

/// <summary>
/// <c>chitchat bench &lt;scenario&gt;</c>: a cluster in this process, measured as chitchat's
/// <c>tests/perf_test.rs</c> measures it (convergence, crash detection, bandwidth, stability on a lossy network,
/// processor and memory use). Prints a summary, or one JSON object per run with <c>--json</c>.
/// </summary>
internal static class BenchCommand
{
    public static Command Create()
    {
        var scenario = new Argument<string>("scenario")
        {
            Description = "What to measure: convergence, detection, bandwidth, stability, cpu, or scale (clusters of growing size, until real time stops keeping up).",
        };
        scenario.AcceptOnlyFromAmong(Names<BenchScenario>());
        var nodes = CliOptions.Create<int>("nodes", "The number of nodes (scale: the largest cluster); node 0 is every node's seed.");
        nodes.HelpName = "n";
        nodes.DefaultValueFactory = _ => 10;
        var transport = CliOptions.Create<string>("transport", "memory: in-process transport with a 65,507-byte MTU (as chitchat's perf tests); udp: real sockets on 127.0.0.1.");
        transport.AcceptOnlyFromAmong(Names<BenchTransportKind>());
        transport.DefaultValueFactory = _ => "memory";
        var interval = CliOptions.Milliseconds("interval_ms", "The gossip interval, also the failure detector's initial interval.", 300);
        var drop = CliOptions.Create<double?>("drop", "The probability that a message is dropped. [default: 0.5 for stability, else 0]");
        drop.HelpName = "p";
        var seed = CliOptions.Create<int?>("seed", "Seeds the message drops and each node's random source. [default: unseeded]");
        seed.HelpName = "s";
        var window = Seconds("window_s", "The bandwidth measurement window.", 3);
        var duration = CliOptions.Create<double?>("duration_s", "How long stability, cpu and scale observe each converged cluster. [default: 30 s; 10 s for scale]");
        duration.HelpName = "s";
        var step = CliOptions.Create<int?>("step", "scale: measure clusters of step, 2 x step, ... nodes up to --nodes. [default: 100, or a tenth of --nodes below 1,000]");
        step.HelpName = "n";
        var timeout = CliOptions.Create<double?>("timeout_s", "The bound of each wait (convergence, detection). [default: 30 s, plus one gossip interval per node beyond 100]");
        timeout.HelpName = "s";
        var repeat = CliOptions.Create<int>("repeat", "Run the scenario this many times, each on a fresh cluster.");
        repeat.HelpName = "runs";
        repeat.DefaultValueFactory = _ => 1;
        var protocolVersion = CliOptions.ProtocolVersion();
        var json = CliOptions.Create<bool>("json", "Print one JSON object per run (snake_case) instead of a summary.");

        var command = new Command("bench", "Measure a local cluster: convergence, crash detection, bandwidth, stability with message loss, or processor and memory use.")
        {
            scenario, nodes, transport, interval, protocolVersion, drop, seed, window, duration, step, timeout, repeat, json,
        };
        command.SetAction(async (parseResult, _) =>
        {
            var options = new BenchOptions
            {
                Scenario = Enum.Parse<BenchScenario>(parseResult.GetValue(scenario)!, ignoreCase: true),
                NodeCount = parseResult.GetValue(nodes),
                Transport = Enum.Parse<BenchTransportKind>(parseResult.GetValue(transport)!, ignoreCase: true),
                GossipInterval = TimeSpan.FromMilliseconds(parseResult.GetValue(interval)),
                ProtocolVersion = parseResult.GetValue(protocolVersion),
                DropProbability = parseResult.GetValue(drop),
                Seed = parseResult.GetValue(seed),
                Window = TimeSpan.FromSeconds(parseResult.GetValue(window)),
                Duration = parseResult.GetValue(duration) is { } d ? TimeSpan.FromSeconds(d) : null,
                Step = parseResult.GetValue(step),
                Timeout = parseResult.GetValue(timeout) is { } s ? TimeSpan.FromSeconds(s) : null,
            };
            return await RunAsync(options, Math.Max(1, parseResult.GetValue(repeat)), parseResult.GetValue(json)).ConfigureAwait(false);
        });
        return command;
    }

    public static async Task<int> RunAsync(BenchOptions options, int repeat, bool json)
    {
        if (options.Validate() is { } error)
        {
            await Console.Error.WriteLineAsync($"error: {error}").ConfigureAwait(false);
            return ExitCodes.Usage;
        }

        using var signal = new ShutdownSignal();
        if (options.Scenario == BenchScenario.Scale)
        {
            return await RunScaleAsync(options, json, signal).ConfigureAwait(false);
        }

        for (var run = 0; run < repeat; run++)
        {
            var runOptions = options.Seed is { } seed ? options with { Seed = seed + run } : options;
            var progress = StartProgress();
            var (result, failure) = await GuardAsync(() => BenchRunner.RunAsync(runOptions, progress, signal.Token), signal).ConfigureAwait(false);
            if (result is null)
            {
                return failure;
            }

            if (json)
            {
                await Console.Out.WriteLineAsync(JsonSerializer.Serialize(result, BenchJsonContext.Default.BenchResult)).ConfigureAwait(false);
            }
            else
            {
                await WriteLinesAsync(BenchSummary.Lines(result)).ConfigureAwait(false);
            }
        }

        return ExitCodes.Success;
    }

    private static async Task<int> RunScaleAsync(BenchOptions options, bool json, ShutdownSignal signal)
    {
        var progress = StartProgress();
        void Step(BenchResult result)
        {
            if (json)
            {
                Console.Out.WriteLine(JsonSerializer.Serialize(result, BenchJsonContext.Default.BenchResult));
            }
        }

        var (summary, failure) = await GuardAsync(() => BenchRunner.RunScaleAsync(options, Step, progress, signal.Token), signal).ConfigureAwait(false);
        if (summary is null)
        {
            return failure;
        }

        if (json)
        {
            await Console.Out.WriteLineAsync(JsonSerializer.Serialize(summary, BenchJsonContext.Default.BenchScaleSummary)).ConfigureAwait(false);
        }
        else
        {
            await WriteLinesAsync(BenchSummary.Lines(summary)).ConfigureAwait(false);
        }

        return ExitCodes.Success;
    }

    /// <summary>Progress lines on standard error, each stamped with the seconds since this call.</summary>
    private static Action<string> StartProgress()
    {
        var started = Stopwatch.StartNew();
        return line => Console.Error.WriteLine($"[{started.Elapsed.TotalSeconds.ToString("0.0", CultureInfo.InvariantCulture),6} s] {line}");
    }

    /// <summary>
    /// Runs a measurement; an interruption or a node that cannot open its socket is reported on standard error and
    /// gives a null result with the exit code to return.
    /// </summary>
    private static async Task<(T? Result, int ExitCode)> GuardAsync<T>(Func<Task<T>> run, ShutdownSignal signal)
        where T : class
    {
        try
        {
            return (await run().ConfigureAwait(false), ExitCodes.Success);
        }
        catch (OperationCanceledException) when (signal.Token.IsCancellationRequested)
        {
            await Console.Error.WriteLineAsync($"Interrupted ({signal.SignalName}): the nodes were stopped.").ConfigureAwait(false);
            return (null, ExitCodes.Interrupted);
        }
        catch (IOException ex)
        {
            await Console.Error.WriteLineAsync($"error: cannot start a node: {ex.Message}").ConfigureAwait(false);
            return (null, ExitCodes.Failure);
        }
    }

    private static async Task WriteLinesAsync(IEnumerable<string> lines)
    {
        foreach (var line in lines)
        {
            await Console.Out.WriteLineAsync(line).ConfigureAwait(false);
        }
    }

    private static string[] Names<TEnum>()
        where TEnum : struct, Enum =>
        Enum.GetNames<TEnum>().Select(name => name.ToLowerInvariant()).ToArray();

    private static Option<double> Seconds(string name, string description, double defaultValue)
    {
        var option = CliOptions.Create<double>(name, description);
        option.HelpName = "s";
        option.DefaultValueFactory = _ => defaultValue;
        option.Validators.Add(result =>
        {
            if (result.GetValueOrDefault<double>() is not > 0)
            {
                result.AddError($"{result.IdentifierToken?.Value ?? "--" + name} must be a positive number of seconds.");
            }
        });
        return option;
    }
}
