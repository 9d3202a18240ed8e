using Chitchat.Diagnostics;
using Chitchat.Server;
using Chitchat.Transport;
using Microsoft.Extensions.Logging.Abstractions;

namespace Chitchat;

/// <summary>
/// Starts chitchat nodes: a state machine (<see cref="ChitchatInstance"/>) driven by a background gossip loop
/// over a transport. Port of chitchat server.rs <c>spawn_chitchat</c>.
/// </summary>
/// <remarks>
/// <para>
/// Every gossip interval the node sends a Syn (its digest) to up to three live peers, sometimes to a dead
/// node and to a seed; peers answer with a SynAck, and the node closes the handshake with an Ack, so that
/// after a few rounds every node holds every node's key-values (Scuttlebutt anti-entropy). Heartbeats in the
/// digests feed a phi-accrual failure detector that decides which nodes are live.
/// </para>
/// <para>Embedding a node in an application:</para>
/// <code language="csharp"><![CDATA[
/// var config = new ChitchatConfig
/// {
///     NodeId = "node-1",
///     GenerationId = (ulong)DateTimeOffset.UtcNow.ToUnixTimeSeconds(),
///     ListenAddress = "0.0.0.0:7280",
///     GossipAdvertiseAddress = "10.0.0.1:7280",
///     ClusterId = "my-cluster",
///     GossipInterval = TimeSpan.FromMilliseconds(500),
///     SeedNodes = ["10.0.0.2:7280", "chitchat-headless.default.svc:7280"],
///     InitialKeyValues = { ["role"] = "indexer" },
/// };
/// await using var node = await ChitchatServer.SpawnChitchatAsync(
///     config,
///     new UdpTransport(loggerFactory),
///     new ChitchatServerOptions { LoggerFactory = loggerFactory });
///
/// // Write the own state; read immutable snapshots of everyone's.
/// node.Chitchat.Set("ready", "true");
/// var roles = node.Chitchat.GetClusterState().NodeStates
///     .Select(state => (state.ChitchatId.NodeId, state.TryGetValue("role", out var role) ? role : null)).ToList();
///
/// // React to membership changes.
/// await foreach (var liveMembers in node.Chitchat.LiveMembers.WatchAsync(stoppingToken))
/// {
///     Console.WriteLine($"{liveMembers.Count} live members");
/// }
///
/// await node.ShutdownAsync(); // or let `await using` stop it
/// ]]></code>
/// <para>
/// The generation id must grow each time the process restarts (the start time in seconds is the usual
/// choice): a restarted node is a new member, and its previous incarnation is eventually forgotten. Keep
/// the handle for as long as the node should run; disposing it stops the node.
/// </para>
/// <para>Thread-safe: any number of nodes may be spawned concurrently, in one process or many.</para>
/// </remarks>
public static partial class ChitchatServer
{
    /// <summary>Starts a chitchat node.</summary>
    /// <remarks>
    /// <list type="number">
    /// <item>Validates <paramref name="config"/> (every invalid setting is reported at once).</item>
    /// <item>Resolves the seeds: IP addresses as is, <c>host:port</c> names through DNS (failures are logged, not
    /// fatal). Names are resolved again every 60 seconds while the node runs.</item>
    /// <item>Opens the socket on <see cref="ChitchatConfig.ListenAddress"/>; if that fails, nothing is started.
    /// With port 0 the transport picks a free port, which the node then advertises (unless
    /// <see cref="ChitchatConfig.GossipAdvertiseAddress"/> names another port): read it from
    /// <see cref="ChitchatHandle.ChitchatId"/>.</item>
    /// <item>Creates the state machine with <see cref="ChitchatConfig.InitialKeyValues"/> and starts the gossip loop in
    /// the background; the first gossip round runs immediately.</item>
    /// </list>
    /// </remarks>
    /// <param name="config">The node's options; validated first. Later changes to it have no effect.</param>
    /// <param name="transport">The transport to open the node's socket on (usually a <see cref="UdpTransport"/>).</param>
    /// <param name="options">The clock, random source and logging; defaults when null.</param>
    /// <param name="cancellationToken">Cancels the start-up (seed resolution and socket opening), not the node.</param>
    /// <returns>The handle of the running node.</returns>
    /// <exception cref="ArgumentException">The options are invalid; the message lists every problem.</exception>
    /// <exception cref="IOException">The listen address cannot be opened.</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled; nothing was started.</exception>
    public static async Task<ChitchatHandle> SpawnChitchatAsync(
        ChitchatConfig config,
        ITransport transport,
        ChitchatServerOptions? options = null,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(config);
        ArgumentNullException.ThrowIfNull(transport);
        config.Validate();
        cancellationToken.ThrowIfCancellationRequested();

        var timeProvider = options?.TimeProvider ?? TimeProvider.System;
        var random = options?.Random ?? Random.Shared;
        var loggerFactory = options?.LoggerFactory ?? NullLoggerFactory.Instance;
        var logger = loggerFactory.CreateLogger(typeof(ChitchatServer).FullName!);

        // The first gossip round must not be for nothing: resolve the seeds before starting.
        var seedResolver = new SeedResolver([.. config.SeedNodes], options?.DnsResolver, logger, config.SeedRefreshInterval);
        var seedAddrs = await seedResolver.ResolveAsync(cancellationToken).ConfigureAwait(false);

        // Bind first: with port 0 the advertised address takes the port the transport chose.
        var socket = await transport.OpenAsync(config.ListenAddr, cancellationToken).ConfigureAwait(false);
        ChitchatMetrics? metrics = null;
        try
        {
            var chitchatId = new ChitchatId(config.NodeId, config.GenerationId, config.AdvertiseEndPoint(socket.LocalEndPoint));
            metrics = new ChitchatMetrics(config.NodeId, options?.MeterFactory);
            var chitchat = new ChitchatInstance(config, timeProvider, random, loggerFactory, chitchatId, metrics);
            if (socket is IMessageSizeLimit limit)
            {
                // A transport that adds bytes of its own (encryption) gets budgets that leave room for them.
                chitchat.MaxDatagramPayloadSize = Math.Min(chitchat.MaxDatagramPayloadSize, limit.MaxMessageLength);
            }

            // Messages and bytes are counted where they cross the socket: exactly what the transport sent and delivered.
            // The metrics end with the socket, which the loop disposes of before its Termination completes.
            socket = new MeteringSocket(socket, metrics);
            chitchat.SetSeedAddrs(seedAddrs);
            var chitchatRef = new ChitchatRef(chitchat);
            var loop = new ServerLoop(chitchatRef, socket, seedResolver, timeProvider, random, logger, options?.MessageProcessor);
            metrics.StartJoin(seedAddrs.Count);
            loop.Start();
            return new ChitchatHandle(chitchatRef, loop);
        }
        catch
        {
            metrics?.Dispose();
            await socket.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }
}
