using System.Net;
using System.Threading.Channels;
using Chitchat.Transport;
using Microsoft.Extensions.Logging;

namespace Chitchat.Server;

/// <summary>
/// The background tasks of one node: they feed the <see cref="GossipEngine"/> received messages, gossip timer
/// ticks and the handle's commands, and send what it returns. Port of the I/O half of chitchat server.rs
/// <c>Server</c>.
/// </summary>
/// <remarks>
/// <para>
/// One task per source, no dedicated thread, so hundreds of nodes can share a process:
/// </para>
/// <list type="bullet">
/// <item>the receive task waits for the next datagram, hands it to the engine and sends the reply;</item>
/// <item>the gossip task runs a gossip round at every tick of the gossip timer (the first one at once) and the
/// gossip commands in the order they were queued; the timer only raises a flag and wakes the task through
/// the same queue, so an idle wait allocates nothing and a flood of datagrams cannot delay a round;</item>
/// <item>the DNS refresh task, when a seed is a host name, resolves the seeds again periodically.</item>
/// </list>
/// <para>
/// They are joined into <see cref="Termination"/>: the first of the receive and gossip tasks to end (shutdown, a
/// broken socket, a bug) stops the others, the socket is released, and <see cref="Termination"/> completes with
/// the outcome.
/// </para>
/// <para>
/// State is touched only under <see cref="ChitchatRef.Gate"/>, never across an <c>await</c>: messages are built
/// under the lock and sent after releasing it (as chitchat server.rs does, to avoid a deadlock).
/// </para>
/// <para>
/// Failures: an exception while processing one message is logged with the sender's address and the message
/// is dropped (a deliberate deviation from Rust, where it kills the node). A failed send is logged and
/// ignored. A receive failure means the socket is broken: the node stops and <see cref="Termination"/> faults
/// with that error. Any other exception is a bug: the node stops and <see cref="Termination"/> faults with
/// "Chitchat server crashed".
/// </para>
/// <para>Thread-safe: the public members may be called from any thread.</para>
/// </remarks>
internal sealed partial class ServerLoop
{
    /// <summary>Pending gossip commands beyond which new ones are dropped, so memory stays bounded.</summary>
    internal const int CommandQueueCapacity = 1024;

    private readonly ChitchatRef _chitchat;
    private readonly ISocket _socket;
    private readonly SeedResolver _seedResolver;
    private readonly TimeProvider _timeProvider;
    private readonly ILogger _logger;
    private readonly GossipEngine _engine;

    // Gossip commands (a peer to gossip with) and timer wake-ups (null), in order. Bounded: see TryEnqueueGossip.
    private readonly Channel<IPEndPoint?> _commands;
    private readonly CancellationTokenSource _stop = new();
    private readonly TaskCompletionSource _termination = new(TaskCreationOptions.RunContinuationsAsynchronously);

    // The datagrams of the gossip round being sent; only the gossip task touches it.
    private readonly List<OutgoingDatagram> _outbox = [];

    private ITimer? _gossipTimer;
    private Task _dnsRefresh = Task.CompletedTask;

    // 1 when a gossip timer tick has not yet been served by a round.
    private int _tickPending;
    private int _started;
    private volatile bool _shutdownRequested;
    private volatile bool _aborted;
    private volatile bool _exited;

    public ServerLoop(
        ChitchatRef chitchat,
        ISocket socket,
        SeedResolver seedResolver,
        TimeProvider timeProvider,
        Random random,
        ILogger logger,
        Func<ChitchatInstance, ReceivedMessage, int, Wire.ChitchatMessage?>? processMessage)
    {
        _chitchat = chitchat;
        _socket = socket;
        _seedResolver = seedResolver;
        _timeProvider = timeProvider;
        _logger = logger;
        var overhead = socket is IMessageSizeLimit limit ? limit.Overhead : 0;
        _engine = new GossipEngine(chitchat, timeProvider, random, logger, overhead, processMessage);
        _commands = Channel.CreateBounded<IPEndPoint?>(new BoundedChannelOptions(CommandQueueCapacity)
        {
            FullMode = BoundedChannelFullMode.Wait,
            SingleReader = true,
        });

        // Observe the outcome, so that an unobserved failure does not raise UnobservedTaskException.
        _termination.Task.ContinueWith(
            static task => _ = task.Exception,
            CancellationToken.None,
            TaskContinuationOptions.OnlyOnFaulted | TaskContinuationOptions.ExecuteSynchronously,
            TaskScheduler.Default);
    }

    /// <summary>Gets what the node knows of each peer address (protocol version, return routability).</summary>
    internal PeerTable PeerTable => _engine.PeerTable;

    /// <summary>Gets the endpoint the socket is bound to.</summary>
    public IPEndPoint LocalEndPoint => _socket.LocalEndPoint;

    /// <summary>Gets the task that completes when the node has stopped and released the socket.</summary>
    public Task Termination => _termination.Task;

    /// <summary>Starts the receive and gossip tasks and, if some seed is a host name, the DNS refresh task.</summary>
    public void Start()
    {
        if (Interlocked.Exchange(ref _started, 1) != 0)
        {
            throw new InvalidOperationException("The Chitchat server loop is already started.");
        }

        Log.ServerStarted(_logger, _chitchat.ChitchatId, _socket.LocalEndPoint);

        // Created here, not on the gossip task: the timers must exist when the spawn returns, so that a fake clock
        // advanced right after the spawn triggers them.
        var interval = _chitchat.Instance.Config.GossipInterval;
        _gossipTimer = _timeProvider.CreateTimer(static state => ((ServerLoop)state!).OnGossipTick(), this, interval, interval);
        if (_seedResolver.NeedsDns)
        {
            // It never throws.
            _dnsRefresh = _seedResolver.RunRefreshLoopAsync(PublishSeeds, _timeProvider, _stop.Token);
        }

        var token = _stop.Token;
        var gossip = Task.Run(() => RunGossipAsync(token), CancellationToken.None);
        var receive = Task.Run(() => RunReceiveAsync(token), CancellationToken.None);
        _ = RunAsync(gossip, receive);
    }

    /// <summary>Queues a gossip round with <paramref name="peer"/>.</summary>
    /// <returns><see langword="false"/> if the server is stopping or stopped.</returns>
    public bool TryEnqueueGossip(IPEndPoint peer)
    {
        if (_commands.Writer.TryWrite(peer))
        {
            return true;
        }

        if (_shutdownRequested || _exited)
        {
            return false;
        }

        // The queue is full: gossip is best-effort, so drop the request rather than grow without bound.
        _chitchat.Instance.Metrics.Dropped(Diagnostics.DatagramDropReason.CommandQueueFull);
        Log.GossipCommandDropped(_logger, peer, CommandQueueCapacity);
        return true;
    }

    /// <summary>Asks the node to stop after the commands already queued.</summary>
    /// <returns><see langword="false"/> if the node has already stopped.</returns>
    public bool InitiateShutdown()
    {
        if (_exited)
        {
            return false;
        }

        _shutdownRequested = true;
        _commands.Writer.TryComplete();
        return true;
    }

    /// <summary>Cancels every task at its next await; <see cref="Termination"/> then faults.</summary>
    public void Abort()
    {
        if (_exited)
        {
            return;
        }

        _aborted = true;

        // Asynchronous callbacks: the caller's thread must not run the clean-up.
        _ = _stop.CancelAsync();
    }

    private void OnGossipTick()
    {
        // A tick that finds the previous one unserved is merged into it, as a periodic timer's ticks are. If the
        // queue is full the wake-up is not queued, but the flag is seen after the next command.
        if (Interlocked.Exchange(ref _tickPending, 1) == 0)
        {
            _commands.Writer.TryWrite(null);
        }
    }

    /// <summary>Joins the receive and gossip tasks, releases everything, and completes <see cref="Termination"/>.</summary>
    private async Task RunAsync(Task<Exception?> gossip, Task<Exception?> receive)
    {
        var first = await Task.WhenAny(gossip, receive).ConfigureAwait(false);
        var failure = Outcome(first);

        // The first task to end stops the others. Disposal also ends a pending receive if the transport ignores
        // cancellation.
        _exited = true;
        _commands.Writer.TryComplete();
        await _stop.CancelAsync().ConfigureAwait(false);
        _gossipTimer?.Dispose();
        try
        {
            await _socket.DisposeAsync().ConfigureAwait(false);
        }
        catch (Exception ex)
        {
            Log.SocketDisposeFailed(_logger, _socket.LocalEndPoint, ex);
        }

        var second = ReferenceEquals(first, gossip) ? receive : gossip;
        await ((Task)second).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        var secondFailure = Outcome(second);
        failure ??= secondFailure;
        await _dnsRefresh.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);

        _chitchat.Instance.DispatchChanges();
        _chitchat.LiveMembers.Complete();
        _chitchat.Instance.Changes.Streams.Complete();
        if (_aborted)
        {
            Log.ServerAborted(_logger, _chitchat.ChitchatId);
            _termination.TrySetException(new InvalidOperationException("Chitchat server aborted"));
        }
        else if (failure is null)
        {
            Log.ServerStopped(_logger, _chitchat.ChitchatId);
            _termination.TrySetResult();
        }
        else
        {
            _termination.TrySetException(failure);
        }
    }

    /// <summary>The error a finished task reports: null for a stop, its error for a broken socket, a crash for a bug.</summary>
    private Exception? Outcome(Task<Exception?> task)
    {
        if (task.IsCanceled)
        {
            return null;
        }

        if (task.Exception is { } faulted)
        {
            var ex = faulted.InnerException ?? faulted;
            if (ex is OperationCanceledException && _stop.IsCancellationRequested)
            {
                return null;
            }

            Log.ServerCrashed(_logger, _chitchat.ChitchatId, ex);
            return new InvalidOperationException($"Chitchat server crashed: {ex.Message}", ex);
        }

        return task.Result;
    }

    /// <summary>Gossip rounds and commands until shutdown (returns null) or cancellation.</summary>
    private async Task<Exception?> RunGossipAsync(CancellationToken cancellationToken)
    {
        var commands = _commands.Reader;

        // The timer's first tick is now, as Tokio's interval's is.
        await GossipRoundAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            while (await commands.WaitToReadAsync(cancellationToken).ConfigureAwait(false))
            {
                while (commands.TryRead(out var peer))
                {
                    if (peer is not null)
                    {
                        await SendAsync(_engine.PlanGossip(peer), cancellationToken).ConfigureAwait(false);
                    }

                    if (Interlocked.Exchange(ref _tickPending, 0) != 0)
                    {
                        await GossipRoundAsync(cancellationToken).ConfigureAwait(false);
                    }
                }
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
        }

        // Completed and drained: shutdown was requested (or the node is stopping for another reason).
        return null;
    }

    /// <summary>Receives and answers messages until cancellation (returns null) or a broken socket (returns its error).</summary>
    private async Task<Exception?> RunReceiveAsync(CancellationToken cancellationToken)
    {
        while (true)
        {
            ReceivedMessage received;
            try
            {
                received = await _socket.ReceiveAsync(cancellationToken).ConfigureAwait(false);
            }
            catch (Exception) when (cancellationToken.IsCancellationRequested)
            {
                return null;
            }
            catch (Exception ex)
            {
                // Transient errors and bad datagrams are handled inside the socket: this one is fatal.
                Log.FatalReceiveError(_logger, _socket.LocalEndPoint, ex);
                return ex;
            }

            if (_engine.Handle(received) is { } reply)
            {
                await SendAsync(reply, cancellationToken).ConfigureAwait(false);
            }
        }
    }

    /// <summary>One gossip round: the engine plans it, the Syns are sent, then liveness is updated.</summary>
    private async ValueTask GossipRoundAsync(CancellationToken cancellationToken)
    {
        _outbox.Clear();
        _engine.PlanRound(_outbox);

        // Outside the lock: sending may wait, and messages received meanwhile need the lock.
        foreach (var datagram in _outbox)
        {
            await SendAsync(datagram, cancellationToken).ConfigureAwait(false);
        }

        _outbox.Clear();
        _engine.CompleteRound();
    }

    /// <summary>Sends one datagram; a failed send is logged and ignored, except when the node is stopping.</summary>
    private async ValueTask SendAsync(OutgoingDatagram datagram, CancellationToken cancellationToken)
    {
        try
        {
            var sent = await _socket.SendAsync(datagram.To, datagram.Message, cancellationToken).ConfigureAwait(false);
            _engine.OnSent(datagram, sent);
        }
        catch (Exception) when (cancellationToken.IsCancellationRequested)
        {
            throw new OperationCanceledException(cancellationToken);
        }
        catch (Exception ex)
        {
            _engine.OnSendFailed(datagram, ex);
        }
    }

    private void PublishSeeds(IReadOnlySet<IPEndPoint> seeds)
    {
        if (!_exited)
        {
            _engine.SetSeeds(seeds);
        }
    }
}
