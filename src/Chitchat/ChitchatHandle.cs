using System.Net;
using Chitchat.Server;

namespace Chitchat;

/// <summary>
/// The handle of a running chitchat node: access to its state, commands to its gossip loop, and its
/// lifetime. Port of chitchat server.rs <c>ChitchatHandle</c>.
/// </summary>
/// <remarks>
/// <para>
/// Keep the handle for as long as the node should run, and dispose it (or call <see cref="ShutdownAsync"/>) to
/// stop it: the loop stops, the socket is released, and the live-members watch and the change streams complete.
/// The last state stays readable through <see cref="Chitchat"/> after the node stopped.
/// </para>
/// <para>Thread-safe: every member may be called from any thread, concurrently.</para>
/// </remarks>
public sealed partial class ChitchatHandle : IAsyncDisposable
{
    private readonly ServerLoop _loop;

    internal ChitchatHandle(ChitchatRef chitchat, ServerLoop loop)
    {
        Chitchat = chitchat;
        _loop = loop;
    }

    /// <summary>Gets the node's identity.</summary>
    public ChitchatId ChitchatId => Chitchat.ChitchatId;

    /// <summary>Gets the local endpoint the node's socket is bound to (with the port the system chose for port 0).</summary>
    /// <remarks>A copy: <see cref="IPEndPoint"/> is mutable. It differs from the advertised address behind NAT or when
    /// listening on every interface.</remarks>
    public IPEndPoint ListenEndPoint => new(_loop.LocalEndPoint.Address, _loop.LocalEndPoint.Port);

    /// <summary>Gets the node's state API: snapshots, own-state writes and change streams; shareable with other components.</summary>
    public ChitchatRef Chitchat { get; }

    /// <summary>
    /// Gets a task that completes when the gossip loop has ended and released its socket: successfully after
    /// a shutdown; faulted with the transport's error if the socket broke; faulted with an
    /// <see cref="InvalidOperationException"/> ("Chitchat server aborted" or "Chitchat server crashed: …")
    /// after <see cref="Abort"/> or an unexpected failure of the loop.
    /// </summary>
    /// <remarks>Port of chitchat's <c>termination_watcher</c>. Await it as often as needed.</remarks>
    public Task Termination => _loop.Termination;

    /// <summary>Gets what the node knows of each peer address (protocol version, return routability; tests inspect it).</summary>
    internal Server.PeerTable PeerTable => _loop.PeerTable;

    /// <summary>Gets the number of gossip rounds the node has completed (tests with a fake clock wait on it).</summary>
    internal long CompletedGossipRounds => _loop.CompletedRounds;

    /// <summary>Completes once the node has completed <paramref name="count"/> gossip rounds in all, or has stopped.</summary>
    internal Task WhenGossipRoundsCompletedAsync(long count) => _loop.WhenRoundsCompletedAsync(count);

    /// <summary>Runs <paramref name="func"/> under the node's lock (tests and tools inside the repository).</summary>
    internal T WithChitchat<T>(Func<ChitchatInstance, T> func) => Chitchat.With(func);

    /// <summary>Runs <paramref name="action"/> under the node's lock (tests and tools inside the repository).</summary>
    internal void WithChitchat(Action<ChitchatInstance> action) => Chitchat.With(action);

    /// <summary>
    /// Asks the loop to gossip with <paramref name="peer"/> now (send it a Syn), in addition to the regular
    /// rounds. Returns at once; a failed send is logged and ignored.
    /// </summary>
    /// <remarks>
    /// At most 1,024 requests wait in the queue; further requests are dropped (and logged) until the loop
    /// catches up, so that memory stays bounded.
    /// </remarks>
    /// <param name="peer">The peer's gossip address.</param>
    /// <exception cref="InvalidOperationException">The node is stopping or has stopped.</exception>
    public void Gossip(IPEndPoint peer)
    {
        ArgumentNullException.ThrowIfNull(peer);
        if (!_loop.TryEnqueueGossip(peer))
        {
            throw new InvalidOperationException("Failed to enqueue a gossip command: the Chitchat server is stopping or has stopped.");
        }
    }

    /// <summary>
    /// Asks the loop to stop after the gossip requests already queued, without waiting. Await
    /// <see cref="Termination"/> to know when it has stopped.
    /// </summary>
    /// <exception cref="InvalidOperationException">The loop has already ended.</exception>
    public void InitiateShutdown()
    {
        if (!_loop.InitiateShutdown())
        {
            throw new InvalidOperationException("Failed to initiate Chitchat shutdown, command channel already closed");
        }
    }

    /// <summary>Stops the node gracefully and waits until its loop has ended and released the socket.</summary>
    /// <remarks>Calling it on a node that already stopped returns (or throws) the same outcome again.</remarks>
    /// <param name="cancellationToken">Stops waiting (the shutdown still proceeds).</param>
    /// <returns>A task with the outcome of the loop, as <see cref="Termination"/>.</returns>
    /// <exception cref="IOException">The socket had broken and ended the loop.</exception>
    /// <exception cref="InvalidOperationException">The loop had been aborted or had crashed.</exception>
    public Task ShutdownAsync(CancellationToken cancellationToken = default)
    {
        _loop.InitiateShutdown();

        // A token cancelled beforehand means "do not wait" whether or not the loop happens to be done already.
        return cancellationToken.IsCancellationRequested
            ? Task.FromCanceled(cancellationToken)
            : _loop.Termination.WaitAsync(cancellationToken);
    }

    /// <summary>
    /// Cancels the loop immediately, without waiting: pending gossip requests are dropped and
    /// <see cref="Termination"/> faults with "Chitchat server aborted". Does nothing if the loop already ended.
    /// </summary>
    public void Abort() => _loop.Abort();

    /// <summary>
    /// Stops the node gracefully and waits for its loop to end. Idempotent; never throws (the outcome is on
    /// <see cref="Termination"/>).
    /// </summary>
    /// <returns>A task that completes when the loop has ended.</returns>
    public async ValueTask DisposeAsync()
    {
        _loop.InitiateShutdown();
        await _loop.Termination.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
    }
}
