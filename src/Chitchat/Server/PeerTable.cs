using System.Net;
using System.Net.Sockets;
using Chitchat.Wire;
using Microsoft.Extensions.Logging;

namespace Chitchat.Server;

/// <summary>
/// What the server remembers per peer address it gossips with: which protocol version its Syns go out in (the
/// rolling-upgrade rule) and whether the address has proven that it receives our datagrams (anti-amplification).
/// </summary>
/// <remarks>
/// <para>
/// Protocol version. A node configured <see cref="ProtocolVersion.V0"/> always sends V0. A node configured
/// <see cref="ProtocolVersion.V1"/> sends V1, except to a peer that does not seem to understand it: after
/// <see cref="UnansweredV1SynsBeforeFallback"/> V1 Syns in a row without any V1 message coming back from that
/// address, the node talks V0 to it (every chitchat version decodes V0). Any V1 message from the address (a
/// reply, or a handshake the peer starts) switches it back to V1 at once, and a V1 Syn is tried again every
/// <see cref="ProbeInterval"/> so that a peer upgraded in place is noticed even if it never starts a handshake.
/// This is what lets a V1 node join a cluster whose only seed runs chitchat 0.10 (which drops V1 datagrams and,
/// not knowing the newcomer, never starts a handshake with it). A peer that is merely down falls back to V0
/// too, which costs nothing: V0 is always understood.
/// </para>
/// <para>
/// Return routability. UDP source addresses can be forged, so a reply to a datagram may reach a victim that
/// never asked for it. An address is <em>verified</em> once it answered, within <see cref="SynAnswerWindow"/>,
/// a datagram this node sent to it: a SynAck to one of our Syns, or an Ack to one of our SynAcks. It
/// demonstrably receives our datagrams. The proof lasts <see cref="VerifiedLifetime"/> after the last one; live
/// peers renew it at every exchange. Replies to an address that is not verified are no larger than the datagram
/// they answer, so the first exchange with a new peer is small and the next ones are full-size.
/// </para>
/// <para>
/// Only addresses the node sends Syns to (its members and seeds) and addresses that proved they receive our
/// replies are tracked, never arbitrary sources; the table is bounded by <see cref="Capacity"/>. The addresses
/// the node recently sent a SynAck to (any source can make it do so) are kept apart, in a bounded first-in
/// first-out list of <see cref="RecentRepliesCapacity"/> entries, so that a flood of forged Syns can only delay
/// verification, not evict what the table knows. Thread-safe.
/// </para>
/// </remarks>
internal sealed partial class PeerTable
{
    /// <summary>V1 Syns sent in a row to one address, without a V1 message back, before it gets V0 instead.</summary>
    internal const int UnansweredV1SynsBeforeFallback = 3;

    /// <summary>At most this many addresses are tracked; beyond, the table starts over.</summary>
    internal const int Capacity = 16_384;

    /// <summary>How many recent SynAck destinations are remembered to recognise the Acks that answer them.</summary>
    internal const int RecentRepliesCapacity = 4_096;

    /// <summary>How often a peer that gets V0 is offered V1 again.</summary>
    internal static readonly TimeSpan ProbeInterval = TimeSpan.FromSeconds(60);

    /// <summary>How long after a Syn to an address a SynAck from it counts as an answer.</summary>
    internal static readonly TimeSpan SynAnswerWindow = TimeSpan.FromSeconds(30);

    /// <summary>How long an address stays verified after its last answer.</summary>
    internal static readonly TimeSpan VerifiedLifetime = TimeSpan.FromMinutes(10);

    private readonly ProtocolVersion _configured;
    private readonly TimeProvider _timeProvider;
    private readonly ILogger _logger;
    private readonly Dictionary<IPEndPoint, PeerState> _peers = [];
    private readonly Dictionary<IPEndPoint, long> _recentSynAcks = [];
    private readonly Queue<IPEndPoint> _recentSynAckOrder = new();
    private readonly Lock _gate = new();

    public PeerTable(ProtocolVersion configured, TimeProvider timeProvider, ILogger logger)
    {
        _configured = configured;
        _timeProvider = timeProvider;
        _logger = logger;
    }

    /// <summary>Gets the number of addresses tracked.</summary>
    internal int TrackedCount
    {
        get
        {
            lock (_gate)
            {
                return _peers.Count;
            }
        }
    }

    /// <summary>Returns the version of the next Syn to <paramref name="peer"/> and records that it is sent.</summary>
    public ProtocolVersion NextSynVersion(IPEndPoint peer)
    {
        var key = Normalize(peer);
        var now = _timeProvider.GetTimestamp();
        lock (_gate)
        {
            if (!_peers.TryGetValue(key, out var state))
            {
                if (_peers.Count >= Capacity)
                {
                    _peers.Clear();
                }

                state = new PeerState();
                _peers.Add(key, state);
            }

            state.LastSynSent = now;
            state.HasSentSyn = true;
            if (_configured == ProtocolVersion.V0)
            {
                return ProtocolVersion.V0;
            }

            if (state.UsesV0)
            {
                if (_timeProvider.GetElapsedTime(state.LastProbe, now) < ProbeInterval)
                {
                    return ProtocolVersion.V0;
                }

                state.LastProbe = now;
                return ProtocolVersion.V1;
            }

            state.UnansweredV1Syns++;
            if (state.UnansweredV1Syns <= UnansweredV1SynsBeforeFallback)
            {
                return ProtocolVersion.V1;
            }

            state.UsesV0 = true;
            state.LastProbe = now;
            Log.FallingBackToV0(_logger, key, UnansweredV1SynsBeforeFallback);
            return ProtocolVersion.V0;
        }
    }

    /// <summary>Records a reply sent to <paramref name="to"/>: an Ack answering a SynAck will verify the address.</summary>
    public void OnReplySent(IPEndPoint to, ChitchatMessage reply)
    {
        if (reply is not ChitchatMessage.SynAck)
        {
            return;
        }

        var key = Normalize(to);
        var now = _timeProvider.GetTimestamp();
        lock (_gate)
        {
            if (_recentSynAcks.TryAdd(key, now))
            {
                if (_recentSynAckOrder.Count >= RecentRepliesCapacity)
                {
                    _recentSynAcks.Remove(_recentSynAckOrder.Dequeue());
                }

                _recentSynAckOrder.Enqueue(key);
            }
            else
            {
                _recentSynAcks[key] = now;
            }
        }
    }

    /// <summary>
    /// Records a message received from <paramref name="from"/>: a SynAck answering one of our Syns, or an Ack
    /// answering one of our SynAcks, verifies the address, and a V1 message proves it speaks V1.
    /// </summary>
    public void OnReceived(IPEndPoint from, ChitchatMessage message)
    {
        var isSynAck = message is ChitchatMessage.SynAck;
        var isAck = message is ChitchatMessage.Ack;
        var isV1 = message.Version == ProtocolVersion.V1 && _configured == ProtocolVersion.V1;
        if (!isSynAck && !isAck && !isV1)
        {
            return;
        }

        var key = Normalize(from);
        var now = _timeProvider.GetTimestamp();
        lock (_gate)
        {
            var answersOurSynAck = isAck
                && _recentSynAcks.TryGetValue(key, out var synAckSent)
                && _timeProvider.GetElapsedTime(synAckSent, now) <= SynAnswerWindow;
            if (!_peers.TryGetValue(key, out var state))
            {
                if (!answersOurSynAck)
                {
                    return;
                }

                // The address proved it receives our replies: worth a place in the table.
                if (_peers.Count >= Capacity)
                {
                    _peers.Clear();
                }

                state = new PeerState();
                _peers.Add(key, state);
            }

            var answersOurSyn = isSynAck && state.HasSentSyn && _timeProvider.GetElapsedTime(state.LastSynSent, now) <= SynAnswerWindow;
            if (answersOurSyn || answersOurSynAck)
            {
                state.LastVerified = now;
                state.IsVerified = true;
            }

            if (isV1)
            {
                state.UnansweredV1Syns = 0;
                if (state.UsesV0)
                {
                    state.UsesV0 = false;
                    Log.BackToV1(_logger, key);
                }
            }
        }
    }

    /// <summary>
    /// Returns whether <paramref name="peer"/> answered one of our Syns recently, so that a reply larger than its
    /// request cannot be turned against a third party.
    /// </summary>
    public bool IsVerified(IPEndPoint peer)
    {
        var key = Normalize(peer);
        lock (_gate)
        {
            return _peers.TryGetValue(key, out var state)
                && state.IsVerified
                && _timeProvider.GetElapsedTime(state.LastVerified) <= VerifiedLifetime;
        }
    }

    /// <summary>Returns whether Syns to <paramref name="peer"/> currently go out in V0 although V1 is configured.</summary>
    internal bool UsesV0(IPEndPoint peer)
    {
        lock (_gate)
        {
            return _peers.TryGetValue(Normalize(peer), out var state) && state.UsesV0;
        }
    }

    private static IPEndPoint Normalize(IPEndPoint endPoint) =>
        endPoint.AddressFamily == AddressFamily.InterNetworkV6 && endPoint.Address.IsIPv4MappedToIPv6
            ? new IPEndPoint(endPoint.Address.MapToIPv4(), endPoint.Port)
            : endPoint;

    private sealed class PeerState
    {
        public int UnansweredV1Syns { get; set; }

        public bool UsesV0 { get; set; }

        public long LastProbe { get; set; }

        public bool HasSentSyn { get; set; }

        public long LastSynSent { get; set; }

        public bool IsVerified { get; set; }

        public long LastVerified { get; set; }
    }

    private static partial class Log
    {
        [LoggerMessage(EventId = 530, Level = LogLevel.Information, Message = "Peer {Peer} answered none of {Count} protocol V1 Syns: gossiping with it in V0")]
        public static partial void FallingBackToV0(ILogger logger, IPEndPoint peer, int count);

        [LoggerMessage(EventId = 531, Level = LogLevel.Information, Message = "Peer {Peer} speaks protocol V1: gossiping with it in V1 again")]
        public static partial void BackToV1(ILogger logger, IPEndPoint peer);
    }
}
