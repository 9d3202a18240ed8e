using System.Net;
using Chitchat.Diagnostics;
using Chitchat.Transport;
using Chitchat.Wire;
using Microsoft.Extensions.Logging;

namespace Chitchat.Server;

/// <summary>A datagram the gossip engine wants sent, and why.</summary>
/// <param name="To">The destination address.</param>
/// <param name="Message">The message.</param>
/// <param name="Kind">Why it is sent: a gossip round's target, a requested gossip or a reply.</param>
internal readonly record struct OutgoingDatagram(IPEndPoint To, ChitchatMessage Message, GossipKind Kind);

/// <summary>
/// The decisions of one node's server, without any I/O: which peers a gossip round targets, in which protocol
/// version, padded or not, and what (if anything) answers a received message. Port of the decision half of
/// chitchat server.rs <c>Server</c>.
/// </summary>
/// <remarks>
/// <para>
/// The engine is driven from outside: the server loop feeds it received messages and timer ticks and sends the
/// datagrams it returns (then reports each outcome through <see cref="OnSent"/> or <see cref="OnSendFailed"/>);
/// a simulation can drive it the same way in virtual time. Every decision a real node makes is made here, so a
/// simulated node behaves as a real one.
/// </para>
/// <para>
/// State is touched only under <see cref="ChitchatRef.Gate"/>; changes are dispatched to listeners and change
/// streams after the lock is released, on the calling thread.
/// </para>
/// <para>
/// Threading: <see cref="Handle"/> may run concurrently with <see cref="PlanRound"/> and <see cref="PlanGossip"/>
/// (the server receives on one task and gossips on another), but each of the two groups must be called by one
/// caller at a time. <see cref="OnSent"/>, <see cref="OnSendFailed"/> and <see cref="SetSeeds"/> are thread-safe.
/// </para>
/// </remarks>
internal sealed partial class GossipEngine
{
    /// <summary>
    /// The length Syns to a peer that has not yet answered us are padded to (with zero bytes that every decoder
    /// ignores): its reply may be that large, room for a digest of several hundred members.
    /// </summary>
    internal const int UnverifiedSynLength = 16 * 1024;

    /// <summary>A node whose digest holds fewer members than this (itself included) is joining: it pads its Syns.</summary>
    internal const int JoiningMemberCount = 4;

    private readonly ChitchatRef _chitchat;
    private readonly Random _random;
    private readonly ILogger _logger;
    private readonly int _transportOverhead;
    private readonly Func<ChitchatInstance, ReceivedMessage, int, ChitchatMessage?> _processMessage;

    // Buffers of the gossip round, reused every round; only the round planner touches them. The address lists are
    // distinct (two generations of a node share an address), which the one set of addresses seen ensures: a node
    // keeps these for every member, so lists cost less than a set each.
    private readonly List<IPEndPoint> _peers = [];
    private readonly List<IPEndPoint> _live = [];
    private readonly List<IPEndPoint> _dead = [];
    private readonly HashSet<IPEndPoint> _seen = [];
    private readonly HashSet<IPEndPoint> _seeds = [];
    private readonly List<IPEndPoint> _targets = [];

    // The Syns of the round being planned, by protocol version: every target of a round gets the same one, so a
    // digest (compressed in V1) is built once a round rather than once a target.
    private readonly ChitchatMessage.Syn?[] _roundSyns = new ChitchatMessage.Syn?[2];

    /// <summary>Creates the engine of one node.</summary>
    /// <param name="chitchat">The node's state and its lock.</param>
    /// <param name="timeProvider">The node's clock (protocol version probes, return-routability proofs).</param>
    /// <param name="random">The node's random source (gossip targets).</param>
    /// <param name="logger">The server's logger.</param>
    /// <param name="transportOverhead">Bytes the transport adds to every datagram (encryption), taken from reply budgets.</param>
    /// <param name="processMessage">Replaces <see cref="ChitchatInstance.ProcessMessage"/> (a test seam), or null.</param>
    public GossipEngine(
        ChitchatRef chitchat,
        TimeProvider timeProvider,
        Random random,
        ILogger logger,
        int transportOverhead = 0,
        Func<ChitchatInstance, ReceivedMessage, int, ChitchatMessage?>? processMessage = null)
    {
        _chitchat = chitchat;
        _random = random;
        _logger = logger;
        _transportOverhead = transportOverhead;
        _processMessage = processMessage ?? (static (chitchat, received, maxReplyLength) => chitchat.ProcessMessage(received.Message, maxReplyLength, received.From));
        PeerTable = new PeerTable(chitchat.Instance.Config.ProtocolVersion, timeProvider, logger);
    }

    /// <summary>Gets what the engine knows of each peer address (protocol version, return routability).</summary>
    internal PeerTable PeerTable { get; }

    /// <summary>
    /// Handles one received message: updates the state under the lock, dispatches the resulting changes, and
    /// returns the reply to send to <see cref="ReceivedMessage.From"/>, if any. Never throws because of what
    /// a peer sent: a message that fails to process is logged (rate-limited) and dropped.
    /// </summary>
    public OutgoingDatagram? Handle(in ReceivedMessage received)
    {
        var (from, message, byteCount) = received;
        Log.MessageReceived(_logger, message.Type, from);
        PeerTable.OnReceived(from, message);

        // Anti-amplification: a source that has not proven it receives our datagrams (its address may be forged)
        // gets a reply no larger than what it sent. A transport that adds bytes of its own (encryption) gets them
        // taken from the reply's budget; a reply that cannot fit at all (a plaintext request under 41 bytes answered
        // encrypted) is not sent.
        var verified = PeerTable.IsVerified(from);
        var maxReplyLength = verified ? int.MaxValue : Math.Max(WireFormat.HeaderLength + 1, byteCount - _transportOverhead);
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
            _chitchat.Instance.Metrics.Dropped(DatagramDropReason.ProcessingFailed);
            if (_chitchat.Instance.PeerProblems.TryAcquire(out _))
            {
                Log.MessageProcessingFailed(_logger, message.Type, from, ex);
            }

            return null;
        }

        if (reply is null)
        {
            return null;
        }

        if (!verified && reply.SerializedLength + _transportOverhead > byteCount)
        {
            _chitchat.Instance.Metrics.Dropped(DatagramDropReason.AntiAmplification);
            return null;
        }

        return new OutgoingDatagram(from, reply, GossipKind.Reply);
    }

    /// <summary>
    /// Plans one gossip round (port of chitchat server.rs <c>gossip_multiple</c>): bumps the own heartbeat, collects
    /// deleted keys past their grace period, picks the targets (live peers, maybe a dead one, maybe a seed) and
    /// appends a Syn for each to <paramref name="outbox"/>. Call <see cref="CompleteRound"/> once they are sent.
    /// </summary>
    public void PlanRound(List<OutgoingDatagram> outbox)
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
            _seen.Clear();
            foreach (var id in chitchat.LiveNodes)
            {
                if (!id.Equals(self) && _seen.Add(id.GossipAdvertiseAddr))
                {
                    _live.Add(id.GossipAdvertiseAddr);
                }
            }

            // Every known node is a candidate only while none is live (at start-up).
            if (_live.Count == 0)
            {
                _seen.Clear();
                foreach (var state in chitchat.NodeStates.Values)
                {
                    var id = state.ChitchatId;
                    if (!id.Equals(self) && _seen.Add(id.GossipAdvertiseAddr))
                    {
                        _peers.Add(id.GossipAdvertiseAddr);
                    }
                }
            }

            _seen.Clear();
            foreach (var id in chitchat.DeadNodes)
            {
                if (_seen.Add(id.GossipAdvertiseAddr))
                {
                    _dead.Add(id.GossipAdvertiseAddr);
                }
            }

            _seen.Clear();

            foreach (var seed in chitchat.SeedNodes)
            {
                if (!seed.Equals(self.GossipAdvertiseAddr))
                {
                    _seeds.Add(seed);
                }
            }

            (deadNode, seedNode) = PeerSelector.SelectNodesForGossip(_random, _peers, _live, _dead, _seeds, _targets);
            chitchat.Metrics.GossipRound();
            chitchat.UpdateSelfHeartbeat();
            chitchat.GcKeysMarkedForDeletion();
        }

        _chitchat.Instance.DispatchChanges();
        Log.GossipRound(_logger, _targets.Count, deadNode, seedNode);

        _roundSyns[0] = _roundSyns[1] = null;
        foreach (var target in _targets)
        {
            outbox.Add(CreateSyn(target, GossipKind.Live, shareInRound: true));
        }

        if (deadNode is not null)
        {
            outbox.Add(CreateSyn(deadNode, GossipKind.Dead, shareInRound: true));
        }

        if (seedNode is not null)
        {
            outbox.Add(CreateSyn(seedNode, GossipKind.Seed, shareInRound: true));
        }

        _roundSyns[0] = _roundSyns[1] = null;
    }

    /// <summary>
    /// Ends a gossip round once its Syns are sent: updates every member's liveness and dispatches the changes.
    /// </summary>
    public void CompleteRound()
    {
        lock (_chitchat.Gate)
        {
            _chitchat.Instance.UpdateNodesLiveness();
        }

        _chitchat.Instance.DispatchChanges();
    }

    /// <summary>Plans a gossip with one peer, as the handle's <see cref="ChitchatHandle.Gossip"/> asks.</summary>
    public OutgoingDatagram PlanGossip(IPEndPoint peer) => CreateSyn(peer, GossipKind.Requested, shareInRound: false);

    /// <summary>Records that a datagram went out (<paramref name="bytes"/> on the wire).</summary>
    public void OnSent(in OutgoingDatagram datagram, int bytes)
    {
        if (datagram.Kind == GossipKind.Reply)
        {
            PeerTable.OnReplySent(datagram.To, datagram.Message);
        }

        Log.MessageSent(_logger, datagram.Message.Type, datagram.Message.Version, bytes, datagram.To);
    }

    /// <summary>Records that a datagram could not be sent. As in Rust, send errors are logged and ignored: gossip retries.</summary>
    public void OnSendFailed(in OutgoingDatagram datagram, Exception error)
    {
        switch (datagram.Kind)
        {
            case GossipKind.Reply:
                Log.ReplyFailed(_logger, datagram.Message.Type, datagram.To, error);
                break;
            case GossipKind.Live or GossipKind.Seed:
                Log.GossipFailed(_logger, datagram.Kind, datagram.To, error);
                break;
            default:
                Log.GossipFailedQuiet(_logger, datagram.Kind, datagram.To, error);
                break;
        }
    }

    /// <summary>Replaces the seed addresses (after a DNS refresh).</summary>
    public void SetSeeds(IReadOnlySet<IPEndPoint> seeds)
    {
        lock (_chitchat.Gate)
        {
            _chitchat.Instance.SetSeedAddrs(seeds);
        }
    }

    private OutgoingDatagram CreateSyn(IPEndPoint peer, GossipKind kind, bool shareInRound)
    {
        var version = PeerTable.NextSynVersion(peer);
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
        if (kind != GossipKind.Dead && syn.Digest.Count < JoiningMemberCount && !PeerTable.IsVerified(peer))
        {
            syn = syn.WithPadding(UnverifiedSynLength);
        }

        return new OutgoingDatagram(peer, syn, kind);
    }
}
