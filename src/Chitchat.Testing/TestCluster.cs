using Chitchat.Transport;

namespace Chitchat.Testing;

/// <summary>
/// An in-process cluster for tests, simulations and demos: nodes started on one transport (an
/// <see cref="InMemoryTransport"/> by default), helpers to wait for a membership view, and one disposal that
/// stops them all.
/// </summary>
/// <remarks>
/// Nodes are started with <see cref="StartNodeAsync"/> from a full <see cref="ChitchatConfig"/>, so a test keeps
/// control of every setting. Thread-safe: nodes may be started and stopped concurrently.
/// </remarks>
public sealed class TestCluster : IAsyncDisposable
{
    private readonly Lock _gate = new();
    private readonly List<ChitchatHandle> _nodes = [];
    private readonly ChitchatServerOptions? _options;

    /// <summary>Creates an empty cluster.</summary>
    /// <param name="transport">The transport of every node; a new <see cref="InMemoryTransport"/> when <see langword="null"/>.</param>
    /// <param name="options">The server options of every node (clock, random source, logging).</param>
    public TestCluster(ITransport? transport = null, ChitchatServerOptions? options = null)
    {
        Transport = transport ?? new InMemoryTransport();
        _options = options;
    }

    /// <summary>Gets the transport the nodes use.</summary>
    public ITransport Transport { get; }

    /// <summary>Gets the nodes started and not stopped through this cluster, in start order.</summary>
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

    /// <summary>Starts a node.</summary>
    /// <param name="config">Its options.</param>
    /// <param name="cancellationToken">Cancels the start-up.</param>
    /// <returns>The node's handle.</returns>
    public async Task<ChitchatHandle> StartNodeAsync(ChitchatConfig config, CancellationToken cancellationToken = default)
    {
        var node = await ChitchatServer.SpawnChitchatAsync(config, Transport, _options, cancellationToken).ConfigureAwait(false);
        lock (_gate)
        {
            _nodes.Add(node);
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

    /// <summary>Stops every node of the cluster.</summary>
    /// <returns>A task that completes when every node stopped.</returns>
    public async ValueTask DisposeAsync()
    {
        ChitchatHandle[] nodes;
        lock (_gate)
        {
            nodes = [.. _nodes];
            _nodes.Clear();
        }

        await Task.WhenAll(nodes.Select(node => node.DisposeAsync().AsTask())).ConfigureAwait(false);
    }
}
