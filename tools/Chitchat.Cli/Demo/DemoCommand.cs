using System.CommandLine;
using System.Globalization;
using Chitchat.Cli.Common;
using Spectre.Console;

namespace Chitchat.Cli.Demo;

/// <summary>
/// <c>chitchat demo</c>: a local cluster in one process over real UDP on 127.0.0.1, showing convergence, key
/// propagation, failure detection, restart and forgetting, each step timed. Needs no set-up and ends by itself.
/// </summary>
internal static class DemoCommand
{
    public static Command Create()
    {
        var nodes = CliOptions.Create<int>("nodes", "The number of nodes (2 to 32).");
        nodes.DefaultValueFactory = _ => 5;
        nodes.Validators.Add(result =>
        {
            if (result.GetValueOrDefault<int>() is < 2 or > 32)
            {
                result.AddError("--nodes must be between 2 and 32.");
            }
        });
        var basePort = CliOptions.Create<int?>("base_port", "Use UDP ports base_port, base_port+1, … instead of free ports chosen by the system.");
        basePort.HelpName = "port";
        basePort.Validators.Add(result =>
        {
            if (result.GetValueOrDefault<int?>() is { } port && port is < 1 or > 65_000)
            {
                result.AddError("--base_port must be between 1 and 65000.");
            }
        });
        var interval = CliOptions.Milliseconds("interval_ms", "The gossip interval (also the failure detector's initial interval).", 300);
        var grace = CliOptions.Milliseconds("dead_node_grace_ms", "How long a dead node is remembered before it is forgotten.", 6_000);
        var follow = CliOptions.Create<bool>("follow", "After the demo, keep the cluster running and on screen until Ctrl+C.");
        var plain = CliOptions.Create<bool>("plain", "Print plain lines even on a terminal (the default when output is redirected).");

        var command = new Command("demo", "Run a local cluster over UDP on 127.0.0.1 and show it converge, spread a key, detect a crash, and take the node back.")
        {
            nodes, basePort, interval, grace, follow, plain,
        };
        command.SetAction(async (parseResult, _) =>
        {
            var settings = new DemoSettings(
                parseResult.GetValue(nodes),
                parseResult.GetValue(basePort),
                TimeSpan.FromMilliseconds(parseResult.GetValue(interval)),
                TimeSpan.FromMilliseconds(parseResult.GetValue(grace)),
                parseResult.GetValue(follow),
                parseResult.GetValue(plain) ? false : null);
            return await RunAsync(settings).ConfigureAwait(false);
        });
        return command;
    }

    public static async Task<int> RunAsync(DemoSettings settings)
    {
        using var signal = new ShutdownSignal();
        var cluster = new DemoCluster(settings);
        await using (cluster.ConfigureAwait(false))
        {
            var interactive = settings.Interactive ?? (!Console.IsOutputRedirected && AnsiConsole.Profile.Capabilities.Interactive);
            IDemoView view = interactive
                ? new LiveDemoView(cluster, settings.NodeCount, AnsiConsole.Console)
                : new PlainDemoView(cluster, settings.NodeCount, Console.Out);
            var intervalMs = settings.GossipInterval.TotalMilliseconds.ToString(CultureInfo.InvariantCulture);
            view.Intro(
            [
                $"chitchat demo: {settings.NodeCount} nodes in this process, gossiping over real UDP on 127.0.0.1 every {intervalMs} ms (cluster \"{DemoSettings.ClusterId}\").",
                $"Failure detector: phi threshold 8, initial interval {intervalMs} ms; dead nodes are forgotten after {DemoFormat.Seconds(settings.DeadNodeGracePeriod)}.",
            ]);

            var scenario = new DemoScenario(cluster, settings, view);
            int exitCode;
            try
            {
                exitCode = await view.RunAsync(() => scenario.RunAsync(signal.Token)).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (signal.Token.IsCancellationRequested)
            {
                await Console.Out.WriteLineAsync($"Interrupted ({signal.SignalName}): stopping the nodes.").ConfigureAwait(false);
                return ExitCodes.Interrupted;
            }
            catch (IOException ex)
            {
                await Console.Error.WriteLineAsync($"error: cannot start a demo node: {ex.Message}").ConfigureAwait(false);
                return ExitCodes.Failure;
            }

            if (exitCode == ExitCodes.Success && settings.Follow)
            {
                await view.FollowAsync(signal.Token).ConfigureAwait(false);
            }

            return exitCode;
        }
    }
}
