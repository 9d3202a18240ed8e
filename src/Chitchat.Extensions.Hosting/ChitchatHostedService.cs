using System.Diagnostics.CodeAnalysis;
using System.Diagnostics.Metrics;
using Chitchat.Transport;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace Chitchat.Extensions.Hosting;

/// <summary>
/// Runs the node with the host: spawns it when the host starts, subscribes the builder's listeners, and leaves the
/// cluster gracefully when the host stops (<see cref="ChitchatHandle.LeaveAsync"/>: two more gossip rounds), aborting
/// the node if the host's shutdown timeout runs out first.
/// </summary>
/// <remarks>
/// Registered once as a singleton and as a hosted service; <see cref="ChitchatHandle"/> and
/// <see cref="ChitchatRef"/> resolve to the running node through it. Disposing it (the host's service provider
/// does) stops a node that is still running. Thread-safe.
/// </remarks>
internal sealed partial class ChitchatHostedService : IHostedService, IAsyncDisposable
{
    private readonly IOptions<ChitchatConfig> _config;
    private readonly IOptions<ChitchatHostingOptions> _hosting;
    private readonly IServiceProvider _services;
    private readonly ILoggerFactory _loggerFactory;
    private readonly TimeProvider _timeProvider;
    private readonly ILogger _logger;
    private readonly Lock _gate = new();
    private ChitchatHandle? _handle;
    private List<IDisposable> _subscriptions = [];
    private bool _started;

    public ChitchatHostedService(
        IOptions<ChitchatConfig> config,
        IOptions<ChitchatHostingOptions> hosting,
        IServiceProvider services,
        ILoggerFactory? loggerFactory = null,
        TimeProvider? timeProvider = null)
    {
        _config = config;
        _hosting = hosting;
        _services = services;
        _loggerFactory = loggerFactory ?? NullLoggerFactory.Instance;
        _timeProvider = timeProvider ?? TimeProvider.System;
        _logger = _loggerFactory.CreateLogger<ChitchatHostedService>();
    }

    /// <summary>Gets the running node.</summary>
    /// <exception cref="InvalidOperationException">The host has not started the node yet.</exception>
    public ChitchatHandle Handle => TryGetHandle(out var handle)
        ? handle
        : throw new InvalidOperationException(
            "The chitchat node is not running yet: it starts with the host (IHost.StartAsync). Resolve ChitchatRef or ChitchatHandle once the host has started, for example in a request handler or a hosted service registered after AddChitchat.");

    public bool TryGetHandle([NotNullWhen(true)] out ChitchatHandle? handle)
    {
        handle = Volatile.Read(ref _handle);
        return handle is not null;
    }

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            if (_started)
            {
                throw new InvalidOperationException("The chitchat hosted service was already started.");
            }

            _started = true;
        }

        var config = _config.Value;
        var hosting = _hosting.Value;
        var transport = hosting.TransportFactory?.Invoke(_services) ?? new UdpTransport(_loggerFactory);
        var handle = await ChitchatServer.SpawnChitchatAsync(
            config,
            transport,
            new ChitchatServerOptions
            {
                LoggerFactory = _loggerFactory,
                TimeProvider = _timeProvider,

                // The host's meter factory (registered by AddMetrics, which the default host builders call): the
                // "Chitchat" meter is then owned by the container and visible to its metrics listeners.
                MeterFactory = _services.GetService(typeof(IMeterFactory)) as IMeterFactory,
            },
            cancellationToken).ConfigureAwait(false);

        var subscriptions = new List<IDisposable>(hosting.Listeners.Count);
        foreach (var (prefix, callback) in hosting.Listeners)
        {
            subscriptions.Add(handle.Chitchat.SubscribeKeyChanges(prefix, change => callback(_services, change)));
        }

        lock (_gate)
        {
            _subscriptions = subscriptions;
            Volatile.Write(ref _handle, handle);
        }

        Log.NodeStarted(_logger, handle.ChitchatId, config.ClusterId, config.SeedNodes.Count);
    }

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        var handle = Volatile.Read(ref _handle);
        if (handle is null)
        {
            return;
        }

        List<IDisposable> subscriptions;
        lock (_gate)
        {
            subscriptions = _subscriptions;
            _subscriptions = [];
        }

        foreach (var subscription in subscriptions)
        {
            subscription.Dispose();
        }

        try
        {
            // Announce the departure and gossip it for two rounds, so that peers drop the node at once.
            await handle.LeaveAsync(cancellationToken).ConfigureAwait(false);
            Log.NodeStopped(_logger, handle.ChitchatId);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // The host's shutdown timeout ran out: stop at once rather than outlive the host.
            handle.Abort();
            Log.NodeAbortedOnShutdownTimeout(_logger, handle.ChitchatId);
        }
        catch (Exception ex) when (ex is IOException or InvalidOperationException)
        {
            // The loop had already ended with a failure (logged by the node when it happened); the host stops anyway.
            Log.NodeHadFailed(_logger, handle.ChitchatId, ex);
        }
    }

    public async ValueTask DisposeAsync()
    {
        var handle = Volatile.Read(ref _handle);
        if (handle is not null)
        {
            await handle.DisposeAsync().ConfigureAwait(false);
        }
    }
}
