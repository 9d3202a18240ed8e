using System.Net;
using Chitchat.Transport;

namespace Chitchat.Testing;

/// <summary>
/// An in-process cluster for tests, benchmarks and demos: nodes started on one transport (an
/// <see cref="InMemoryTransport"/> by default) with sensible defaults, crashed, restarted with a new generation,
/// awaited until they agree on the membership, and stopped together.
/// </summary>
/// <remarks>
/// <para>
/// <see cref="AddNodeAsync"/> builds
/// the node's options from the cluster's defaults (<see cref="ClusterId"/>, <see cref="GossipInterval"/>, the address
/// <see cref="Address"/> on port 0, the first node as seed) and lets the test change any of them;
/// <see cref="StartNodeAsync"/> takes full options instead.
/// Port 0 works with every transport: the node advertises the port the transport chose.
/// </para>
/// <para>
/// Disposal shuts every running node down gracefully, in parallel, and aborts those that did not stop within
/// <see cref="ShutdownTimeout"/>. Thread-safe: nodes may be started, crashed and stopped concurrently.
/// </para>
/// </remarks>
/// <example>
/// <code><![CDATA[
/// await using var cluster = new TestCluster();
/// var seed = await cluster.AddNodeAsync("node-0");
/// var other = await cluster.AddNodeAsync("node-1", config => config.InitialKeyValues["role"] = "worker");
/// await cluster.WaitForConvergenceAsync(TimeSpan.FromSeconds(10));
/// ]]></code>
/// </example>
public sealed class TestCluster : IAsyncDisposable
{
    private readonly Lock _gate = new();
    private readonly List<ChitchatHandle> _nodes = [];
    private readonly Dictionary<ChitchatHandle, ChitchatConfig> _configs = [];
    private readonly ChitchatServerOptions? _options;

    /// <summary>Creates an empty cluster.</summary>
    /// <param name="transport">The transport of every node; a new <see cref="InMemoryTransport"/> when <see langword="null"/>.</param>
    /// <param name="options">The default server options of the nodes (clock, random source, logging).</param>
    public TestCluster(ITransport? transport = null, ChitchatServerOptions? options = null)
    {
        Transport = transport ?? new InMemoryTransport();
        _options = options;
    }

    /// <summary>Gets the transport the nodes use.</summary>
    public ITransport Transport { get; }

    /// <summary>Gets the cluster id given to the nodes started by name.</summary>
    /// <value>The default value is <c>test-cluster</c>.</value>
    public string ClusterId { get; init; } = "test-cluster";

    /// <summary>Gets the gossip interval given to the nodes started by name; also their failure detector's initial interval.</summary>
    /// <value>The default value is 100 milliseconds.</value>
    public TimeSpan GossipInterval { get; init; } = TimeSpan.FromMilliseconds(100);

    /// <summary>Gets the IP address the nodes started by name listen on and advertise.</summary>
    /// <value>The default value is 127.0.0.1.</value>
    public IPAddress Address { get; init; } = IPAddress.Loopback;

    /// <summary>
    /// Gets the server options of each node, chosen from its options (e.g. a random source seeded per node); when it is
    /// <see langword="null"/> or returns <see langword="null"/>, the options given to the constructor.
    /// </summary>
    public Func<ChitchatConfig, ChitchatServerOptions?>? ServerOptions { get; init; }

    /// <summary>Gets how long disposal waits for a graceful shutdown before it aborts a node.</summary>
    /// <value>The default value is 10 seconds.</value>
    public TimeSpan ShutdownTimeout { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>Gets the nodes started and neither stopped nor crashed through this cluster, in start order.</summary>
    public IReadOnlyList<ChitchatHandle> Nodes
    {
        get
        {
            lock (_gate)
            {
                return [.. _nodes];
            }
        }
    }

    /// <summary>
    /// Creates the options a node named <paramref name="nodeId"/> gets from the cluster's defaults: cluster id, gossip
    /// interval (also the failure detector's initial interval), <see cref="Address"/> on port 0, and the first running
    /// node as seed (none for the first node).
    /// </summary>
    /// <param name="nodeId">The node id.</param>
    /// <param name="generationId">The generation id.</param>
    /// <returns>New options; changing them affects nothing else.</returns>
    public ChitchatConfig CreateNodeConfig(string nodeId, ulong generationId = 0)
    {
        ArgumentException.ThrowIfNullOrEmpty(nodeId);
        var first = Nodes.FirstOrDefault();
        var config = new ChitchatConfig
        {
            NodeId = nodeId,
            GenerationId = generationId,
            ClusterId = ClusterId,
            ListenAddress = new IPEndPoint(Address, 0).ToString(),
            GossipInterval = GossipInterval,
        };
        config.FailureDetectorConfig.InitialInterval = GossipInterval;
        if (first is not null)
        {
            config.SeedNodes.Add(first.ChitchatId.GossipAdvertiseEndPoint.ToString());
        }

        return config;
    }

    /// <summary>Starts a node with the cluster's defaults (<see cref="CreateNodeConfig"/>), changed by <paramref name="configure"/>.</summary>
    /// <param name="nodeId">The node id.</param>
    /// <param name="configure">Changes the options before the start, or <see langword="null"/>.</param>
    /// <param name="cancellationToken">Cancels the start-up.</param>
    /// <returns>The node's handle.</returns>
    public Task<ChitchatHandle> AddNodeAsync(string nodeId, Action<ChitchatConfig>? configure = null, CancellationToken cancellationToken = default)
    {
        var config = CreateNodeConfig(nodeId);
        configure?.Invoke(config);
        return StartNodeAsync(config, cancellationToken);
    }

    /// <summary>Starts a node with full options.</summary>
    /// <param name="config">Its options.</param>
    /// <param name="cancellationToken">Cancels the start-up.</param>
    /// <returns>The node's handle.</returns>
    public async Task<ChitchatHandle> StartNodeAsync(ChitchatConfig config, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(config);
        var options = ServerOptions?.Invoke(config) ?? _options;
        var node = await ChitchatServer.SpawnChitchatAsync(config, Transport, options, cancellationToken).ConfigureAwait(false);
        lock (_gate)
        {
            _nodes.Add(node);
            _configs[node] = config;
        }

        return node;
    }

    /// <summary>Stops a node gracefully and forgets it.</summary>
    /// <param name="node">The node.</param>
    /// <returns>A task that completes when the node stopped.</returns>
    public async Task StopNodeAsync(ChitchatHandle node)
    {
        ArgumentNullException.ThrowIfNull(node);
        lock (_gate)
        {
            _nodes.Remove(node);
        }

        await node.DisposeAsync().ConfigureAwait(false);
    }

    /// <summary>
    /// Crashes a node: it stops at once, without a word to its peers (<see cref="ChitchatHandle.Abort"/>), and is no
    /// longer among <see cref="Nodes"/>. Its peers find out through failure detection.
    /// </summary>
    /// <param name="node">The node.</param>
    public void Crash(ChitchatHandle node)
    {
        ArgumentNullException.ThrowIfNull(node);
        lock (_gate)
        {
            _nodes.Remove(node);
        }

        node.Abort();
    }

    /// <summary>
    /// Starts a stopped or crashed node again, with the same id, seeds and options, on the same address, as a new
    /// incarnation: its generation id is <paramref name="generationId"/>, or the previous one plus one.
    /// </summary>
    /// <param name="node">A node this cluster started, stopped or crashed since.</param>
    /// <param name="generationId">The new generation id; the previous one plus one when <see langword="null"/>.</param>
    /// <param name="cancellationToken">Cancels the start-up.</param>
    /// <returns>The new incarnation's handle.</returns>
    /// <exception cref="InvalidOperationException">The node is still running, or was not started by this cluster.</exception>
    public async Task<ChitchatHandle> RestartAsync(
        ChitchatHandle node,
        ulong? generationId = null,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(node);
        ChitchatConfig previous;
        lock (_gate)
        {
            if (_nodes.Contains(node))
            {
                throw new InvalidOperationException($"{node.ChitchatId} is running: stop or crash it before restarting it.");
            }

            if (!_configs.Remove(node, out previous!))
            {
                throw new InvalidOperationException($"{node.ChitchatId} was not started by this cluster.");
            }
        }

        // The previous incarnation releases its address asynchronously: wait for it before binding the address again.
        await node.Termination.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        var id = node.ChitchatId;
        var config = Copy(previous);
        config.GenerationId = generationId ?? id.GenerationId + 1;
        config.ListenAddress = node.ListenEndPoint.ToString();
        config.GossipAdvertiseAddress = id.GossipAdvertiseEndPoint.ToString();
        return await StartNodeAsync(config, cancellationToken).ConfigureAwait(false);
    }

    // Every setting, so that a restarted node is the same node; the delegates and the failure detector's settings are
    // shared (the spawn copies what it keeps).
    private static ChitchatConfig Copy(ChitchatConfig source) => new()
    {
        NodeId = source.NodeId,
        GenerationId = source.GenerationId,
        ClusterId = source.ClusterId,
        ListenAddress = source.ListenAddress,
        GossipAdvertiseAddress = source.GossipAdvertiseAddress,
        SeedNodes = [.. source.SeedNodes],
        GossipInterval = source.GossipInterval,
        SeedRefreshInterval = source.SeedRefreshInterval,
        ProtocolVersion = source.ProtocolVersion,
        FailureDetectorConfig = source.FailureDetectorConfig,
        MarkedForDeletionGracePeriod = source.MarkedForDeletionGracePeriod,
        InitialKeyValues = new Dictionary<string, string>(source.InitialKeyValues),
        CatchupCallback = source.CatchupCallback,
        ExtraLivenessPredicate = source.ExtraLivenessPredicate,
        MaxMembers = source.MaxMembers,
        MaxNewMembersPerSource = source.MaxNewMembersPerSource,
        MaxKeysPerNode = source.MaxKeysPerNode,
        MaxStateBytesPerNode = source.MaxStateBytesPerNode,
        MaxTotalStateBytes = source.MaxTotalStateBytes,
    };

    /// <summary>Waits until every running node sees exactly the running nodes (itself included) as live.</summary>
    /// <param name="timeout">How long to wait.</param>
    /// <returns>A task that completes when the views match.</returns>
    /// <exception cref="TimeoutException">Some view did not match in time; the message shows it.</exception>
    public async Task WaitForConvergenceAsync(TimeSpan timeout)
    {
        var nodes = Nodes;
        var expected = nodes.Select(node => node.ChitchatId).ToHashSet();
        using var cts = new CancellationTokenSource(timeout);
        foreach (var node in nodes)
        {
            try
            {
                await node.Chitchat.LiveMembers.WaitForAsync(live => live.SetEquals(expected), cts.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (cts.IsCancellationRequested)
            {
                throw new TimeoutException(
                    $"The {nodes.Count} nodes did not converge within {timeout}: {node.ChitchatId.NodeId} sees " +
                    $"[{string.Join(", ", node.Chitchat.LiveMembers.Current)}] live.");
            }
        }
    }

    /// <summary>Waits until <paramref name="node"/>'s live members are exactly <paramref name="expected"/>.</summary>
    /// <param name="node">The observing node.</param>
    /// <param name="expected">The expected live members (the node itself included).</param>
    /// <param name="timeout">How long to wait.</param>
    /// <returns>A task that completes when the view matches.</returns>
    /// <exception cref="TimeoutException">The view did not match in time; the message shows the last one.</exception>
    public static async Task WaitForLiveMembersAsync(ChitchatHandle node, IEnumerable<ChitchatId> expected, TimeSpan timeout)
    {
        ArgumentNullException.ThrowIfNull(node);
        ArgumentNullException.ThrowIfNull(expected);
        var expectedSet = expected.ToHashSet();
        using var cts = new CancellationTokenSource(timeout);
        try
        {
            await node.Chitchat.LiveMembers.WaitForAsync(live => live.SetEquals(expectedSet), cts.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (cts.IsCancellationRequested)
        {
            throw new TimeoutException(
                $"{node.ChitchatId.NodeId} did not see exactly [{string.Join(", ", expectedSet)}] live within {timeout}; " +
                $"last: [{string.Join(", ", node.Chitchat.LiveMembers.Current)}].");
        }
    }

    /// <summary>
    /// Shuts every running node down gracefully, in parallel; a node that did not stop within
    /// <see cref="ShutdownTimeout"/> is aborted.
    /// </summary>
    /// <returns>A task that completes when every node stopped.</returns>
    public async ValueTask DisposeAsync()
    {
        ChitchatHandle[] nodes;
        lock (_gate)
        {
            nodes = [.. _nodes];
            _nodes.Clear();
            _configs.Clear();
        }

        await Task.WhenAll(nodes.Select(node => node.ShutdownAsync().WaitAsync(ShutdownTimeout)))
            .ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        foreach (var node in nodes)
        {
            // Stops a node that did not shut down in time; does nothing to the others.
            node.Abort();
        }

        await Task.WhenAll(nodes.Select(node => node.Termination))
            .WaitAsync(ShutdownTimeout)
            .ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
    }
}
