using Chitchat.Server;
using Chitchat.Transport;
using Microsoft.Extensions.Logging.Abstractions;

namespace Chitchat;

/// <summary>
/// Starts chitchat nodes: a state machine (<see cref="ChitchatInstance"/>) driven by a background gossip loop
/// over a transport. Port of chitchat server.rs <c>spawn_chitchat</c> (BEHAVIOUR.md §14).
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
/// var config = new ChitchatConfig(new ChitchatId("node-1", generationId: (ulong)DateTimeOffset.UtcNow.ToUnixTimeSeconds(),
///                                               new IPEndPoint(IPAddress.Parse("10.0.0.1"), 7280)))
/// {
///     ClusterId = "my-cluster",
///     GossipInterval = TimeSpan.FromMilliseconds(500),
///     SeedNodes = ["10.0.0.2:7280", "chitchat-headless.default.svc:7280"],
/// };
/// await using var node = await ChitchatServer.SpawnChitchatAsync(
///     config,
///     [new("role", "indexer")],
///     new UdpTransport(loggerFactory),
///     new ChitchatServerOptions { LoggerFactory = loggerFactory });
///
/// // Publish own state; read the others' under the node's lock.
/// node.WithChitchat(chitchat => chitchat.SelfNodeState.Set("ready", "true"));
/// var roles = node.WithChitchat(chitchat => chitchat.NodeStates.Values
///     .Select(state => (state.ChitchatId.NodeId, state.Get("role"))).ToList());
///
/// // React to membership changes without holding the lock.
/// await foreach (var liveNodes in node.Chitchat.LiveNodesWatch.WatchAsync(stoppingToken))
/// {
///     Console.WriteLine($"{liveNodes.Count} live nodes");
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
    /// <summary>Starts a chitchat node with the default clock, random source and no logging.</summary>
    /// <param name="config">The node's configuration; validated first. Do not change it afterwards.</param>
    /// <param name="initialKeyValues">Key-values set on the node's own state before it starts gossiping; may be null.</param>
    /// <param name="transport">The transport to open the node's socket on (usually a <see cref="UdpTransport"/>).</param>
    /// <param name="cancellationToken">Cancels the start-up (seed resolution and socket opening), not the node.</param>
    /// <returns>The handle of the running node.</returns>
    /// <exception cref="ArgumentException">The configuration is invalid.</exception>
    /// <exception cref="IOException">The listen address cannot be opened.</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled; nothing was started.</exception>
    [System.Diagnostics.CodeAnalysis.SuppressMessage("ApiDesign", "RS0026:Do not add multiple public overloads with optional parameters", Justification = "Only the trailing CancellationToken is optional, the usual .NET shape.")]
    public static Task<ChitchatHandle> SpawnChitchatAsync(
        ChitchatConfig config,
        IEnumerable<KeyValuePair<string, string>>? initialKeyValues,
        ITransport transport,
        CancellationToken cancellationToken = default) =>
        SpawnChitchatAsync(config, initialKeyValues, transport, options: null, cancellationToken);

    /// <summary>Starts a chitchat node (BEHAVIOUR.md §14.1).</summary>
    /// <remarks>
    /// <list type="number">
    /// <item>Validates <paramref name="config"/>.</item>
    /// <item>Resolves the seeds: IP addresses as is, <c>host:port</c> names through DNS (failures are logged, not
    /// fatal). Names are resolved again every 60 seconds while the node runs.</item>
    /// <item>Opens the socket on <see cref="ChitchatConfig.ListenAddr"/>; if that fails, nothing is started.</item>
    /// <item>Creates the state machine and starts the gossip loop in the background; the first gossip round runs
    /// immediately.</item>
    /// </list>
    /// </remarks>
    /// <param name="config">The node's configuration; validated first. Do not change it afterwards.</param>
    /// <param name="initialKeyValues">Key-values set on the node's own state before it starts gossiping; may be null.</param>
    /// <param name="transport">The transport to open the node's socket on (usually a <see cref="UdpTransport"/>).</param>
    /// <param name="options">The clock, random source and logging; defaults when null.</param>
    /// <param name="cancellationToken">Cancels the start-up (seed resolution and socket opening), not the node.</param>
    /// <returns>The handle of the running node.</returns>
    /// <exception cref="ArgumentException">The configuration is invalid.</exception>
    /// <exception cref="IOException">The listen address cannot be opened.</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled; nothing was started.</exception>
    [System.Diagnostics.CodeAnalysis.SuppressMessage("ApiDesign", "RS0026:Do not add multiple public overloads with optional parameters", Justification = "Only the trailing CancellationToken is optional, the usual .NET shape.")]
    public static async Task<ChitchatHandle> SpawnChitchatAsync(
        ChitchatConfig config,
        IEnumerable<KeyValuePair<string, string>>? initialKeyValues,
        ITransport transport,
        ChitchatServerOptions? options,
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
        var seedResolver = new SeedResolver(config.SeedNodes, options?.DnsResolver, logger, config.SeedRefreshInterval);
        var seedAddrs = await seedResolver.ResolveAsync(cancellationToken).ConfigureAwait(false);

        var socket = await transport.OpenAsync(config.ListenAddr, cancellationToken).ConfigureAwait(false);
        try
        {
            var chitchat = new ChitchatInstance(config, initialKeyValues, timeProvider, random, loggerFactory);
            chitchat.SetSeedAddrs(seedAddrs);
            var chitchatRef = new ChitchatRef(chitchat);
            var loop = new ServerLoop(chitchatRef, socket, seedResolver, timeProvider, random, logger, options?.MessageProcessor);
            loop.Start();
            return new ChitchatHandle(chitchatRef, loop);
        }
        catch
        {
            await socket.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }
}
