using System.Net;
using System.Threading.Channels;
using Chitchat.Transport;
using Chitchat.Wire;
using Microsoft.Extensions.Logging;

namespace Chitchat.Server;

/// <summary>
/// The background loop of one node: answers received messages, runs a gossip round every gossip interval
/// and executes the handle's commands. Port of chitchat server.rs <c>Server</c>.
/// </summary>
/// <remarks>
/// <para>
/// One asynchronous loop per node, no dedicated thread, so hundreds of nodes can share a process. The loop
/// waits on three sources at once — the socket, the gossip timer and the command queue — and keeps a
/// pending receive across iterations, so no datagram is lost when the timer or a command wins. It checks
/// commands, then the timer, before each message, so a flood of datagrams cannot starve gossip rounds.
/// </para>
/// <para>
/// State is touched only under <see cref="ChitchatRef.Gate"/>, never across an <c>await</c>: messages are
/// built under the lock and sent after releasing it (as chitchat server.rs does, to avoid a deadlock).
/// </para>
/// <para>
/// Failures: an exception while processing one message is logged with the sender's address and the message
/// is dropped (a deliberate deviation from Rust, where it kills the node). A failed send
/// is logged and ignored. A receive failure means the socket is broken: the loop ends and
/// <see cref="Termination"/> faults with that error. Any other exception is a bug: the loop ends and
/// <see cref="Termination"/> faults with "Chitchat server crashed".
/// </para>
/// <para>Thread-safe: the public members may be called from any thread.</para>
/// </remarks>
internal sealed class ServerLoop
{
    /// <summary>
    /// The length Syns to a peer that has not yet answered us are padded to (with zero bytes that every decoder
    /// ignores): its reply may be that large, room for a digest of several hundred members.
    /// </summary>
    internal const int UnverifiedSynLength = 16 * 1024;

    /// <summary>A node whose digest holds fewer members than this (itself included) is joining: it pads its Syns.</summary>
    internal const int JoiningMemberCount = 4;

    /// <summary>Pending gossip commands beyond which new ones are dropped, so memory stays bounded.</summary>
    internal const int CommandQueueCapacity = 1024;

    private readonly ChitchatRef _chitchat;
    private readonly ISocket _socket;
    private readonly SeedResolver _seedResolver;
    private readonly TimeProvider _timeProvider;
    private readonly Random _random;
    private readonly ILogger _logger;
    private readonly Func<ChitchatInstance, ReceivedMessage, int, ChitchatMessage?> _processMessage;
    private readonly Channel<IPEndPoint> _gossipCommands;
    private readonly CancellationTokenSource _stop = new();
    private readonly TaskCompletionSource _termination = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly PeriodicTimer _gossipTimer;
    private readonly PeerTable _peerTable;

    // Buffers of the gossip round, reused every round; only the loop touches them.
    private readonly HashSet<IPEndPoint> _peers = [];
    private readonly HashSet<IPEndPoint> _live = [];
    private readonly HashSet<IPEndPoint> _dead = [];
    private readonly HashSet<IPEndPoint> _seeds = [];
    private readonly List<IPEndPoint> _targets = [];

    // The Syns of the current gossip round, by protocol version: every target of a round gets the same one, so a
    // digest (compressed in V1) is built once a round rather than once a target.
    private readonly ChitchatMessage.Syn?[] _roundSyns = new ChitchatMessage.Syn?[2];

    // What the loop is waiting for; kept across iterations, observed at exit.
    private Task<ReceivedMessage>? _pendingReceive;
    private Task<bool>? _pendingTick;
    private Task<bool>? _pendingCommand;

    // Gossip rounds finished; completed at the end of the next round (or when the loop ends), created only while
    // someone waits.
    private long _completedRounds;
    private TaskCompletionSource? _roundCompleted;

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
        Func<ChitchatInstance, ReceivedMessage, int, ChitchatMessage?>? processMessage)
    {
        _chitchat = chitchat;
        _socket = socket;
        _seedResolver = seedResolver;
        _timeProvider = timeProvider;
        _random = random;
        _logger = logger;
        _processMessage = processMessage ?? (static (chitchat, received, maxReplyLength) => chitchat.ProcessMessage(received.Message, maxReplyLength, received.From));
        _gossipCommands = Channel.CreateBounded<IPEndPoint>(new BoundedChannelOptions(CommandQueueCapacity)
        {
            FullMode = BoundedChannelFullMode.Wait,
            SingleReader = true,
        });
        _gossipTimer = new PeriodicTimer(chitchat.Instance.Config.GossipInterval, timeProvider);
        _peerTable = new PeerTable(chitchat.Instance.Config.ProtocolVersion, timeProvider, logger);

        // Observe the outcome, so that an unobserved failure does not raise UnobservedTaskException.
        _termination.Task.ContinueWith(
            static task => _ = task.Exception,
            CancellationToken.None,
            TaskContinuationOptions.OnlyOnFaulted | TaskContinuationOptions.ExecuteSynchronously,
            TaskScheduler.Default);
    }

    /// <summary>Gets what the loop knows of each peer address (protocol version, return routability).</summary>
    internal PeerTable PeerTable => _peerTable;

    /// <summary>Gets the endpoint the socket is bound to.</summary>
    public IPEndPoint LocalEndPoint => _socket.LocalEndPoint;

    /// <summary>Gets the task that completes when the loop has ended and released the socket.</summary>
    public Task Termination => _termination.Task;

    /// <summary>Starts the loop and, if some seed is a host name, the DNS refresh loop.</summary>
    public void Start()
    {
        if (Interlocked.Exchange(ref _started, 1) != 0)
        {
            throw new InvalidOperationException("The Chitchat server loop is already started.");
        }

        ChitchatServer.Log.ServerStarted(_logger, _chitchat.ChitchatId, _socket.LocalEndPoint);
        if (_seedResolver.NeedsDns)
        {
            // Called directly: its timer must exist when the spawn returns, so that a fake clock advanced
            // right after the spawn triggers the refresh. It never throws.
            _ = _seedResolver.RunRefreshLoopAsync(PublishSeeds, _timeProvider, _stop.Token);
        }

        _ = Task.Run(RunAsync);
    }

    /// <summary>Queues a gossip round with <paramref name="peer"/>.</summary>
    /// <returns><see langword="false"/> if the server is stopping or stopped.</returns>
    public bool TryEnqueueGossip(IPEndPoint peer)
    {
        if (_gossipCommands.Writer.TryWrite(peer))
        {
            return true;
        }

        if (_shutdownRequested || _exited)
        {
            return false;
        }

        // The queue is full: gossip is best-effort, so drop the request rather than grow without bound.
        ChitchatServer.Log.GossipCommandDropped(_logger, peer, CommandQueueCapacity);
        return true;
    }

    /// <summary>Gets the number of gossip rounds the loop has finished.</summary>
    internal long CompletedRounds => Interlocked.Read(ref _completedRounds);

    /// <summary>
    /// Returns a task that completes once the loop has finished <paramref name="count"/> gossip rounds in all
    /// (see <see cref="CompletedRounds"/>), or has ended. A graceful leave waits for rounds rather than for time
    /// alone: a process stalled for longer than the wait would otherwise stop before any round had carried its
    /// announcement.
    /// </summary>
    internal async Task WhenRoundsCompletedAsync(long count)
    {
        while (CompletedRounds < count && !_exited)
        {
            var completion = Volatile.Read(ref _roundCompleted);
            if (completion is null)
            {
                var created = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
                completion = Interlocked.CompareExchange(ref _roundCompleted, created, null) ?? created;
            }

            // Checked again once the waiter is published: a round that ended in between did not see it.
            if (CompletedRounds >= count || _exited)
            {
                return;
            }

            await completion.Task.ConfigureAwait(false);
        }
    }

    private void CompleteRound()
    {
        Interlocked.Increment(ref _completedRounds);
        Interlocked.Exchange(ref _roundCompleted, null)?.TrySetResult();
    }

    /// <summary>Asks the loop to stop after the commands already queued.</summary>
    /// <returns><see langword="false"/> if the loop has already ended.</returns>
    public bool InitiateShutdown()
    {
        if (_exited)
        {
            return false;
        }

        _shutdownRequested = true;
        _gossipCommands.Writer.TryComplete();
        return true;
    }

    /// <summary>Cancels the loop at its next await; <see cref="Termination"/> then faults.</summary>
    public void Abort()
    {
        if (_exited)
        {
            return;
        }

        _aborted = true;

        // Asynchronous callbacks: the caller's thread must not run the loop's clean-up.
        _ = _stop.CancelAsync();
    }

    private async Task RunAsync()
    {
        Exception? failure;
        try
        {
            failure = await RunLoopAsync(_stop.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (_aborted)
        {
            failure = null;
        }
        catch (Exception ex)
        {
            ChitchatServer.Log.ServerCrashed(_logger, _chitchat.ChitchatId, ex);
            failure = new InvalidOperationException($"Chitchat server crashed: {ex.Message}", ex);
        }

        await StopAsync().ConfigureAwait(false);
        if (_aborted)
        {
            ChitchatServer.Log.ServerAborted(_logger, _chitchat.ChitchatId);
            _termination.TrySetException(new InvalidOperationException("Chitchat server aborted"));
        }
        else if (failure is null)
        {
            ChitchatServer.Log.ServerStopped(_logger, _chitchat.ChitchatId);
            _termination.TrySetResult();
        }
        else
        {
            _termination.TrySetException(failure);
        }
    }

    /// <summary>Releases everything the loop holds. Never throws.</summary>
    private async Task StopAsync()
    {
        _exited = true;
        _gossipCommands.Writer.TryComplete();

        // Stops the pending receive and the DNS refresh loop. Registrations run here, on the loop.
        await _stop.CancelAsync().ConfigureAwait(false);
        _gossipTimer.Dispose();
        try
        {
            // Disposal also ends a pending receive if the transport ignores cancellation.
            await _socket.DisposeAsync().ConfigureAwait(false);
        }
        catch (Exception ex)
        {
            ChitchatServer.Log.SocketDisposeFailed(_logger, _socket.LocalEndPoint, ex);
        }

        await Observe(_pendingReceive);
        await Observe(_pendingTick);
        await Observe(_pendingCommand);
        Interlocked.Exchange(ref _roundCompleted, null)?.TrySetResult(); // waiters see _exited
        _chitchat.Instance.DispatchChanges();
        _chitchat.LiveMembers.Complete();
        _chitchat.Instance.Changes.Streams.Complete();
    }

    private static System.Runtime.CompilerServices.ConfiguredTaskAwaitable Observe(Task? task) =>
        (task ?? Task.CompletedTask).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);

    /// <summary>Runs until shutdown (returns null) or a broken socket (returns its error).</summary>
    private async Task<Exception?> RunLoopAsync(CancellationToken cancellationToken)
    {
        var commands = _gossipCommands.Reader;

        // The timer fires immediately at start, as Tokio's interval does.
        await GossipRoundAsync(cancellationToken).ConfigureAwait(false);
        while (true)
        {
            // 1. Commands: queued gossip requests, then shutdown (the queue completed and drained).
            while (commands.TryRead(out var peer))
            {
                await GossipAsync(peer, GossipKind.Requested, cancellationToken).ConfigureAwait(false);
            }

            if (commands.Completion.IsCompleted)
            {
                return null;
            }

            // 2. The gossip timer.
            _pendingTick ??= _gossipTimer.WaitForNextTickAsync(cancellationToken).AsTask();
            if (_pendingTick.IsCompleted)
            {
                var ticked = await _pendingTick.ConfigureAwait(false);
                _pendingTick = null;
                if (!ticked)
                {
                    return null;
                }

                await GossipRoundAsync(cancellationToken).ConfigureAwait(false);
                continue;
            }

            // 3. The socket. A receive that completes synchronously costs no task.
            if (_pendingReceive is null)
            {
                var receive = StartReceive(cancellationToken);
                if (receive.IsCompleted)
                {
                    if (await HandleReceiveAsync(receive, cancellationToken).ConfigureAwait(false) is { } error)
                    {
                        return error;
                    }

                    continue;
                }

                _pendingReceive = receive.AsTask();
            }
            else if (_pendingReceive.IsCompleted)
            {
                var completed = _pendingReceive;
                _pendingReceive = null;
                if (await HandleReceiveAsync(new ValueTask<ReceivedMessage>(completed), cancellationToken).ConfigureAwait(false) is { } error)
                {
                    return error;
                }

                continue;
            }

            // 4. Nothing ready: wait for whichever source is first.
            _pendingCommand ??= commands.WaitToReadAsync(cancellationToken).AsTask();
            if (!_pendingCommand.IsCompleted)
            {
                await Task.WhenAny(_pendingReceive, _pendingTick, _pendingCommand).ConfigureAwait(false);
            }

            if (_pendingCommand.IsCompleted)
            {
                // Throws if cancelled; otherwise step 1 reads the commands or sees the completion.
                await _pendingCommand.ConfigureAwait(false);
                _pendingCommand = null;
            }
        }
    }

    /// <summary>Starts a receive; a socket that throws synchronously reports its error through the result.</summary>
    private ValueTask<ReceivedMessage> StartReceive(CancellationToken cancellationToken)
    {
        try
        {
            return _socket.ReceiveAsync(cancellationToken);
        }
        catch (Exception ex)
        {
            return ValueTask.FromException<ReceivedMessage>(ex);
        }
    }

    /// <summary>Processes one received message; returns the error if the socket is broken.</summary>
    private async ValueTask<Exception?> HandleReceiveAsync(ValueTask<ReceivedMessage> receive, CancellationToken cancellationToken)
    {
        ReceivedMessage received;
        try
        {
            received = await receive.ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            throw;
        }
        catch (Exception ex)
        {
            // Transient errors and bad datagrams are handled inside the socket: this one is fatal.
            ChitchatServer.Log.FatalReceiveError(_logger, _socket.LocalEndPoint, ex);
            return ex;
        }

        await HandleMessageAsync(received, cancellationToken).ConfigureAwait(false);
        return null;
    }

    /// <summary>Processes a message under the lock, then sends the reply to its source address.</summary>
    private async ValueTask HandleMessageAsync(ReceivedMessage received, CancellationToken cancellationToken)
    {
        var (from, message, byteCount) = received;
        ChitchatServer.Log.MessageReceived(_logger, message.Type, from);
        _peerTable.OnReceived(from, message);

        // Anti-amplification: a source that has not proven it receives our datagrams (its address may be forged)
        // gets a reply no larger than what it sent.
        // A transport that adds bytes of its own (encryption) gets them taken from the reply's budget; a reply that
        // cannot fit at all (a plaintext request under 41 bytes answered encrypted) is not sent.
        var overhead = _socket is IMessageSizeLimit limit ? limit.Overhead : 0;
        var maxReplyLength = _peerTable.IsVerified(from) ? int.MaxValue : Math.Max(WireFormat.HeaderLength + 1, byteCount - overhead);
        ChitchatMessage? reply;
        try
        {
            lock (_chitchat.Gate)
            {
                reply = _processMessage(_chitchat.Instance, received, maxReplyLength);
            }

            // Listeners and change streams get the message's changes outside the lock.
            _chitchat.Instance.DispatchChanges();
        }
        catch (Exception ex)
        {
            // One bad message must not take the node down: drop it and keep serving.
            if (_chitchat.Instance.PeerProblems.TryAcquire(out _))
            {
                ChitchatServer.Log.MessageProcessingFailed(_logger, message.Type, from, ex);
            }

            return;
        }

        if (reply is null || (maxReplyLength != int.MaxValue && reply.SerializedLength + overhead > byteCount))
        {
            return;
        }

        try
        {
            var sent = await _socket.SendAsync(from, reply, cancellationToken).ConfigureAwait(false);
            _peerTable.OnReplySent(from, reply);
            LogSent(reply, sent, from);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            throw;
        }
        catch (Exception ex)
        {
            // As in Rust, reply errors are ignored: the peer will gossip again.
            ChitchatServer.Log.ReplyFailed(_logger, reply.Type, from, ex);
        }
    }

    /// <summary>One gossip round. Port of chitchat server.rs <c>gossip_multiple</c>.</summary>
    private async ValueTask GossipRoundAsync(CancellationToken cancellationToken)
    {
        IPEndPoint? deadNode;
        IPEndPoint? seedNode;
        lock (_chitchat.Gate)
        {
            var chitchat = _chitchat.Instance;
            var self = chitchat.SelfChitchatId;
            _peers.Clear();
            _live.Clear();
            _dead.Clear();
            _seeds.Clear();
            foreach (var id in chitchat.NodeStates.Keys)
            {
                if (!id.Equals(self))
                {
                    _peers.Add(id.GossipAdvertiseAddr);
                }
            }

            foreach (var id in chitchat.LiveNodes)
            {
                if (!id.Equals(self))
                {
                    _live.Add(id.GossipAdvertiseAddr);
                }
            }

            foreach (var id in chitchat.DeadNodes)
            {
                _dead.Add(id.GossipAdvertiseAddr);
            }

            foreach (var seed in chitchat.SeedNodes)
            {
                if (!seed.Equals(self.GossipAdvertiseAddr))
                {
                    _seeds.Add(seed);
                }
            }

            (deadNode, seedNode) = PeerSelector.SelectNodesForGossip(_random, _peers, _live, _dead, _seeds, _targets);
            chitchat.UpdateSelfHeartbeat();
            chitchat.GcKeysMarkedForDeletion();
        }

        _chitchat.Instance.DispatchChanges();

        ChitchatServer.Log.GossipRound(_logger, _targets.Count, deadNode, seedNode);

        // Outside the lock: sending may wait, and messages received meanwhile need the lock. The targets of one
        // round get the same Syn (one per protocol version): a digest, compressed in V1, is built once a round.
        _roundSyns[0] = _roundSyns[1] = null;
        foreach (var target in _targets)
        {
            await GossipAsync(target, GossipKind.Live, cancellationToken, shareInRound: true).ConfigureAwait(false);
        }

        if (deadNode is not null)
        {
            await GossipAsync(deadNode, GossipKind.Dead, cancellationToken, shareInRound: true).ConfigureAwait(false);
        }

        if (seedNode is not null)
        {
            await GossipAsync(seedNode, GossipKind.Seed, cancellationToken, shareInRound: true).ConfigureAwait(false);
        }

        _roundSyns[0] = _roundSyns[1] = null;

        lock (_chitchat.Gate)
        {
            _chitchat.Instance.UpdateNodesLiveness();
        }

        _chitchat.Instance.DispatchChanges();
        CompleteRound();
    }

    /// <summary>Sends a fresh Syn to <paramref name="peer"/>; a failed send is logged and ignored.</summary>
    private async ValueTask GossipAsync(IPEndPoint peer, GossipKind kind, CancellationToken cancellationToken, bool shareInRound = false)
    {
        var version = _peerTable.NextSynVersion(peer);
        var syn = shareInRound ? _roundSyns[(int)version] : null;
        if (syn is null)
        {
            lock (_chitchat.Gate)
            {
                syn = _chitchat.Instance.CreateSynMessage(version);
            }

            if (shareInRound)
            {
                _roundSyns[(int)version] = syn;
            }
        }

        // A peer that has not answered us yet limits its reply to what we send (if it is a .NET node): while this node
        // is joining (it knows only a few members), a padded Syn buys room for the peer's digest, so that it learns the
        // cluster from its first exchange with a seed. A node that knows the cluster sends Syns about as large as the
        // replies it needs, and dead nodes are most likely gone: neither pads.
        if (kind != GossipKind.Dead && syn.Digest.Count < JoiningMemberCount && !_peerTable.IsVerified(peer))
        {
            syn = syn.WithPadding(UnverifiedSynLength);
        }

        try
        {
            var sent = await _socket.SendAsync(peer, syn, cancellationToken).ConfigureAwait(false);
            LogSent(syn, sent, peer);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            throw;
        }
        catch (Exception ex)
        {
            if (kind is GossipKind.Live or GossipKind.Seed)
            {
                ChitchatServer.Log.GossipFailed(_logger, kind, peer, ex);
            }
            else
            {
                ChitchatServer.Log.GossipFailedQuiet(_logger, kind, peer, ex);
            }
        }
    }

    private void LogSent(ChitchatMessage message, int bytes, IPEndPoint peer) =>
        ChitchatServer.Log.MessageSent(_logger, message.Type, message.Version, bytes, peer);

    private void PublishSeeds(IReadOnlySet<IPEndPoint> seeds)
    {
        if (_exited)
        {
            return;
        }

        lock (_chitchat.Gate)
        {
            _chitchat.Instance.SetSeedAddrs(seeds);
        }
    }
}
