using System.Net;
using System.Runtime.CompilerServices;
using Chitchat.Cli.Common;
using Chitchat.FailureDetection;
using Chitchat.Transport;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Console;

namespace Chitchat.Cli.Node;

/// <summary>Runs one node: the chitchat server over UDP and the HTTP API over TCP, until Ctrl+C or SIGTERM.</summary>
internal static partial class NodeRunner
{
    private static readonly TimeSpan s_stopTimeout = TimeSpan.FromSeconds(5);

    /// <summary>chitchat-test's configuration with the given identity, seeds and interval.</summary>
    public static ChitchatConfig CreateConfig(NodeSettings settings) =>
        new(new ChitchatId(settings.NodeId, settings.Generation, settings.PublicAddr))
        {
            ClusterId = settings.ClusterId,
            GossipInterval = settings.GossipInterval,
            ProtocolVersion = settings.ProtocolVersion,
            ListenAddress = settings.ListenAddr.ToString(),
            SeedNodes = settings.Seeds.ToList(),
            FailureDetectorConfig = new FailureDetectorConfig { DeadNodeGracePeriod = TimeSpan.FromSeconds(10) },
            MarkedForDeletionGracePeriod = TimeSpan.FromSeconds(60),
        };

    public static async Task<int> RunAsync(NodeSettings settings)
    {
        ChitchatConfig config;
        try
        {
            config = CreateConfig(settings);
            config.Validate();
        }
        catch (ArgumentException ex)
        {
            await Console.Error.WriteLineAsync($"error: invalid node settings: {ex.Message}").ConfigureAwait(false);
            return ExitCodes.Usage;
        }

        using var signal = new ShutdownSignal();

        // The HTTP API serves on the gossip port; with port 0 that port is known only once the node is bound, so the
        // address is given to the web host after the spawn (it reads its URLs when it starts).
        var httpEndPoint = new StrongBox<IPEndPoint>(settings.ListenAddr);
        await using var app = BuildWebApplication();
        var loggerFactory = app.Services.GetRequiredService<ILoggerFactory>();
        var logger = loggerFactory.CreateLogger("chitchat");

        ChitchatHandle node;
        try
        {
            node = await ChitchatServer.SpawnChitchatAsync(
                config,
                new UdpTransport(loggerFactory),
                new ChitchatServerOptions { LoggerFactory = loggerFactory },
                signal.Token).ConfigureAwait(false);
        }
        catch (IOException ex)
        {
            await Console.Error.WriteLineAsync($"error: cannot start the chitchat node: {ex.Message} ({ex.InnerException?.Message})").ConfigureAwait(false);
            return ExitCodes.Failure;
        }
        catch (OperationCanceledException)
        {
            return ExitCodes.Success;
        }

        await using (node.ConfigureAwait(false))
        {
            if (settings.ListenAddr.Port == 0)
            {
                httpEndPoint.Value = new IPEndPoint(settings.ListenAddr.Address, node.ListenEndPoint.Port);
            }

            app.Urls.Add($"http://{SocketAddressFormat.Format(httpEndPoint.Value!)}");

            NodeHttpApi.Map(app, node);
            try
            {
                await app.StartAsync(signal.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                return ExitCodes.Success;
            }
            catch (Exception ex) when (ex is IOException or InvalidOperationException)
            {
                await Console.Error.WriteLineAsync($"error: cannot serve HTTP on {SocketAddressFormat.Format(httpEndPoint.Value!)}/TCP: {ex.Message}").ConfigureAwait(false);
                return ExitCodes.Failure;
            }

            var address = SocketAddressFormat.Format(httpEndPoint.Value!);
            Console.WriteLine(
                $"chitchat node {node.ChitchatId.NodeId} (generation {node.ChitchatId.GenerationId}, cluster {config.ClusterId}): " +
                $"gossip on udp://{address} advertised as {SocketAddressFormat.Format(node.ChitchatId.GossipAdvertiseEndPoint)}, HTTP API on http://{address}/ — Ctrl+C to stop");

            var stopped = await Task.WhenAny(node.Termination, Task.Delay(Timeout.Infinite, signal.Token)).ConfigureAwait(false);
            if (stopped == node.Termination)
            {
                // The gossip loop died on its own (broken socket): report it and stop serving a frozen state.
                var reason = node.Termination.Exception?.GetBaseException().Message ?? "stopped";
                Log.NodeStoppedUnexpectedly(logger, reason);
                await StopWebAsync(app).ConfigureAwait(false);
                return ExitCodes.Failure;
            }

            Log.ShuttingDown(logger, signal.SignalName ?? "signal");
            await StopWebAsync(app).ConfigureAwait(false);
            try
            {
                await node.ShutdownAsync().WaitAsync(s_stopTimeout).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is TimeoutException or IOException or InvalidOperationException)
            {
                Log.ShutdownFailed(logger, ex.Message);
                return ExitCodes.Failure;
            }

            return ExitCodes.Success;
        }
    }

    private static WebApplication BuildWebApplication()
    {
        // No command-line args: the node's flags are not configuration keys.
        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { ApplicationName = "chitchat" });
        builder.Logging.ClearProviders();
        builder.Logging.AddSimpleConsole(options =>
        {
            options.SingleLine = true;
            options.TimestampFormat = "HH:mm:ss.fff ";
        });

        // Logs go to standard error; standard output is kept for the command's own messages.
        builder.Services.Configure<ConsoleLoggerOptions>(options => options.LogToStandardErrorThreshold = LogLevel.Trace);
        builder.Logging.SetMinimumLevel(LogLevel.Information);
        builder.Logging.AddFilter("Microsoft", LogLevel.Warning);
        builder.Services.AddSingleton<IHostLifetime, NoSignalHostLifetime>();
        return builder.Build();
    }

    private static async Task StopWebAsync(WebApplication app)
    {
        using var timeout = new CancellationTokenSource(s_stopTimeout);
        await app.StopAsync(timeout.Token).ConfigureAwait(false);
    }

    private static partial class Log
    {
        [LoggerMessage(EventId = 1, Level = LogLevel.Information, Message = "Received {Signal}: shutting down")]
        public static partial void ShuttingDown(ILogger logger, string signal);

        [LoggerMessage(EventId = 2, Level = LogLevel.Error, Message = "The chitchat node stopped unexpectedly: {Reason}")]
        public static partial void NodeStoppedUnexpectedly(ILogger logger, string reason);

        [LoggerMessage(EventId = 3, Level = LogLevel.Error, Message = "The chitchat node did not shut down cleanly: {Reason}")]
        public static partial void ShutdownFailed(ILogger logger, string reason);
    }
}
