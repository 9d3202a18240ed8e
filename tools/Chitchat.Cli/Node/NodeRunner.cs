using System.Net;
using Chitchat.Cli.Common;
using Chitchat.FailureDetection;
using Chitchat.Transport;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Diagnostics.HealthChecks;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Console;
using OpenTelemetry.Metrics;

namespace Chitchat.Cli.Node;

/// <summary>
/// Runs one node on the generic host, through the hosting package: the chitchat node over UDP (AddChitchat), and
/// over TCP on the same address the HTTP API, the dashboard, <c>/health</c> and <c>/metrics</c>. The host's console
/// lifetime turns Ctrl+C and SIGTERM into a stop: the web server stops, then the node leaves the cluster gracefully.
/// </summary>
internal static partial class NodeRunner
{
    /// <summary>The meter whose instruments <c>GET /metrics</c> exports.</summary>
    internal const string MeterName = "Chitchat";

    /// <summary>The least time the host gives its services to stop (the node's leave takes two gossip intervals).</summary>
    private static readonly TimeSpan s_minShutdownTimeout = TimeSpan.FromSeconds(10);

    /// <summary>
    /// chitchat-test's configuration with the given identity, seeds, gossip interval, dead node grace period
    /// (chitchat-test: 10 s) and seed refresh interval (60 s).
    /// </summary>
    public static ChitchatConfig CreateConfig(NodeSettings settings) =>
        new(new ChitchatId(settings.NodeId, settings.Generation, settings.PublicAddr))
        {
            ClusterId = settings.ClusterId,
            GossipInterval = settings.GossipInterval,
            ProtocolVersion = settings.ProtocolVersion,
            ListenAddress = settings.ListenAddr.ToString(),
            SeedNodes = settings.Seeds.ToList(),
            SeedRefreshInterval = settings.SeedRefreshInterval,
            FailureDetectorConfig = new FailureDetectorConfig { DeadNodeGracePeriod = settings.DeadNodeGracePeriod },
            MarkedForDeletionGracePeriod = TimeSpan.FromSeconds(60),
        };

    /// <summary>The host's shutdown timeout: room for the leave's two gossip intervals, and at least 10 s.</summary>
    public static TimeSpan ShutdownTimeout(NodeSettings settings) =>
        settings.GossipInterval * 4 > s_minShutdownTimeout ? settings.GossipInterval * 4 : s_minShutdownTimeout;

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

        EncryptionKeyring? keyring = null;
        if (settings.EncryptionKeyFile is { } keyFile)
        {
            try
            {
                keyring = EncryptionKeyring.Parse(await File.ReadAllTextAsync(keyFile).ConfigureAwait(false));
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or FormatException or ArgumentException)
            {
                await Console.Error.WriteLineAsync($"error: invalid --encryption_key_file '{keyFile}': {ex.Message}").ConfigureAwait(false);
                return ExitCodes.Usage;
            }
        }

        var startup = new StartupProbe();
        await using var app = BuildWebApplication(settings, config, keyring, startup);
        var logger = app.Services.GetRequiredService<ILoggerFactory>().CreateLogger("chitchat");
        try
        {
            // Starts the node (the hosting package's hosted service), then the web server on the node's address.
            await app.StartAsync().ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is IOException or InvalidOperationException)
        {
            var address = startup.HttpAddress is { } http ? SocketAddressFormat.Format(http) : SocketAddressFormat.Format(settings.ListenAddr);
            await Console.Error.WriteLineAsync(startup.HttpAddress is null
                ? $"error: cannot start the chitchat node: {ex.Message} ({ex.InnerException?.Message ?? address})"
                : $"error: cannot serve HTTP on {address}/TCP: {ex.Message}").ConfigureAwait(false);
            return ExitCodes.Failure;
        }

        var node = app.Services.GetRequiredService<ChitchatHandle>();
        var shown = SocketAddressFormat.Format(startup.HttpAddress!);
        Console.WriteLine(
            $"chitchat node {node.ChitchatId.NodeId} (generation {node.ChitchatId.GenerationId}, cluster {config.ClusterId}): " +
            $"gossip on udp://{shown} advertised as {SocketAddressFormat.Format(node.ChitchatId.GossipAdvertiseEndPoint)}, HTTP API on http://{shown}/, " +
            $"dashboard on http://{shown}/ui/{(settings.UiAllowWrites ? " (writes allowed)" : string.Empty)}, /health, /metrics — Ctrl+C to stop");

        var stopping = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        using (app.Lifetime.ApplicationStopping.Register(() => stopping.TrySetResult()))
        {
            if (await Task.WhenAny(node.Termination, stopping.Task).ConfigureAwait(false) == node.Termination)
            {
                // The gossip loop died on its own (broken socket): report it and stop serving a frozen state.
                var reason = node.Termination.Exception?.GetBaseException().Message ?? "stopped";
                Log.NodeStoppedUnexpectedly(logger, reason);
                await app.StopAsync().ConfigureAwait(false);
                return ExitCodes.Failure;
            }
        }

        // Ctrl+C or SIGTERM: the host stops the web server, then the node leaves the cluster (two gossip rounds)
        // within the shutdown timeout; a node that had to be aborted is not a clean exit.
        Log.ShuttingDown(logger);
        await app.StopAsync().ConfigureAwait(false);
        if (!node.Termination.IsCompletedSuccessfully)
        {
            Log.ShutdownFailed(logger, node.Termination.Exception?.GetBaseException().Message ?? "not stopped");
            return ExitCodes.Failure;
        }

        return ExitCodes.Success;
    }

    private static WebApplication BuildWebApplication(NodeSettings settings, ChitchatConfig config, EncryptionKeyring? keyring, StartupProbe startup)
    {
        // No command-line args: the node's flags are not configuration keys.
        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { ApplicationName = "chitchat", Args = [] });
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
        builder.Services.Configure<ConsoleLifetimeOptions>(options => options.SuppressStatusMessages = true);
        builder.Services.Configure<HostOptions>(options => options.ShutdownTimeout = ShutdownTimeout(settings));

        builder.Services.AddChitchat(options => CopyConfig(config, options))
            .UseTransport(services =>
            {
                var loggerFactory = services.GetRequiredService<ILoggerFactory>();
                return keyring is null
                    ? new UdpTransport(loggerFactory)
                    : new UdpTransport(loggerFactory).WithEncryption(keyring, config.ClusterId, settings.EncryptionMode);
            });

        // Runs after the node's hosted service and before the web server (which the builder starts last): the HTTP
        // API serves on the gossip address, whose port is known only once the node is bound when it is 0.
        builder.Services.AddHostedService(services => new HttpAddressBinder(services, settings.ListenAddr, startup));
        builder.Services.AddHealthChecks().AddChitchatHealthCheck(minLivePeers: settings.MinLivePeers);
        builder.Services.AddOpenTelemetry().WithMetrics(metrics => metrics.AddMeter(MeterName).AddPrometheusExporter());

        var app = builder.Build();
        NodeHttpApi.Map(app);
        app.MapChitchatDashboard("/ui", options => options.AllowWrites = settings.UiAllowWrites);
        app.MapHealthChecks("/health", new HealthCheckOptions());
        app.MapPrometheusScrapingEndpoint("/metrics");
        return app;
    }

    private static void CopyConfig(ChitchatConfig from, ChitchatConfig to)
    {
        to.NodeId = from.NodeId;
        to.GenerationId = from.GenerationId;
        to.GossipAdvertiseAddress = from.GossipAdvertiseAddress;
        to.ClusterId = from.ClusterId;
        to.GossipInterval = from.GossipInterval;
        to.ProtocolVersion = from.ProtocolVersion;
        to.ListenAddress = from.ListenAddress;
        to.SeedNodes = from.SeedNodes;
        to.SeedRefreshInterval = from.SeedRefreshInterval;
        to.FailureDetectorConfig = from.FailureDetectorConfig;
        to.MarkedForDeletionGracePeriod = from.MarkedForDeletionGracePeriod;
    }

    /// <summary>What the start-up reached: the HTTP address is set once the node is bound.</summary>
    private sealed class StartupProbe
    {
        public IPEndPoint? HttpAddress { get; set; }
    }

    /// <summary>Gives the web server the node's address (with the port the node got for port 0) before it starts.</summary>
    private sealed class HttpAddressBinder(IServiceProvider services, IPEndPoint listen, StartupProbe startup) : IHostedService
    {
        public Task StartAsync(CancellationToken cancellationToken)
        {
            var node = services.GetRequiredService<ChitchatHandle>();
            var address = listen.Port == 0 ? new IPEndPoint(listen.Address, node.ListenEndPoint.Port) : listen;
            var addresses = services.GetRequiredService<IServer>().Features.GetRequiredFeature<IServerAddressesFeature>().Addresses;
            addresses.Clear();
            addresses.Add($"http://{SocketAddressFormat.Format(address)}");
            startup.HttpAddress = address;
            return Task.CompletedTask;
        }

        public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
    }

    private static partial class Log
    {
        [LoggerMessage(EventId = 1, Level = LogLevel.Information, Message = "Stopping: leaving the cluster")]
        public static partial void ShuttingDown(ILogger logger);

        [LoggerMessage(EventId = 2, Level = LogLevel.Error, Message = "The chitchat node stopped unexpectedly: {Reason}")]
        public static partial void NodeStoppedUnexpectedly(ILogger logger, string reason);

        [LoggerMessage(EventId = 3, Level = LogLevel.Error, Message = "The chitchat node did not shut down cleanly: {Reason}")]
        public static partial void ShutdownFailed(ILogger logger, string reason);
    }
}
