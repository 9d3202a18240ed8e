using System.Net;
using Chitchat.Server;
using Chitchat.Transport;
using Chitchat.Wire;

namespace Chitchat.Testing.Simulation;

public sealed partial class SimulatedNode
{
    // Buffers of the gossip round, reused every round.
    private readonly HashSet<IPEndPoint> _peers = [];
    private readonly HashSet<IPEndPoint> _live = [];
    private readonly HashSet<IPEndPoint> _dead = [];
    private readonly HashSet<IPEndPoint> _seeds = [];
    private readonly List<IPEndPoint> _targets = [];
    private readonly ChitchatMessage.Syn?[] _roundSyns = new ChitchatMessage.Syn?[2];

    /// <summary>Runs one gossip round, as the server loop does at each tick of its timer.</summary>
    internal void RunGossipRound()
    {
        var chitchat = _instance;
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

        var (deadNode, seedNode) = PeerSelector.SelectNodesForGossip(_random, _peers, _live, _dead, _seeds, _targets);
        chitchat.UpdateSelfHeartbeat();
        chitchat.GcKeysMarkedForDeletion();
        chitchat.DispatchChanges();

        _roundSyns[0] = _roundSyns[1] = null;
        foreach (var target in _targets)
        {
            Gossip(target, GossipKind.Live, shareInRound: true);
        }

        if (deadNode is not null)
        {
            Gossip(deadNode, GossipKind.Dead, shareInRound: true);
        }

        if (seedNode is not null)
        {
            Gossip(seedNode, GossipKind.Seed, shareInRound: true);
        }

        _roundSyns[0] = _roundSyns[1] = null;
        chitchat.UpdateNodesLiveness();
        chitchat.DispatchChanges();
    }

    /// <summary>Sends a Syn to <paramref name="peer"/> (a gossip round's target, or a requested gossip).</summary>
    internal void Gossip(IPEndPoint peer, GossipKind kind, bool shareInRound = false)
    {
        var version = _peerTable.NextSynVersion(peer);
        var syn = shareInRound ? _roundSyns[(int)version] : null;
        if (syn is null)
        {
            syn = _instance.CreateSynMessage(version);
            if (shareInRound)
            {
                _roundSyns[(int)version] = syn;
            }
        }

        if (kind != GossipKind.Dead && syn.Digest.Count < ServerLoop.JoiningMemberCount && !_peerTable.IsVerified(peer))
        {
            syn = syn.WithPadding(ServerLoop.UnverifiedSynLength);
        }

        Send(peer, syn);
    }

    /// <summary>Processes one datagram, as the server loop does: decode, anti-amplification budget, reply.</summary>
    internal void Receive(IPEndPoint from, ReadOnlySpan<byte> datagram)
    {
        if (!MessageCodec.TryDecode(datagram, out var message, out _))
        {
            CountReceived(datagram.Length, decoded: false);
            return;
        }

        CountReceived(datagram.Length, decoded: true);
        var received = new ReceivedMessage(from, message, datagram.Length);
        _peerTable.OnReceived(from, message);
        var maxReplyLength = _peerTable.IsVerified(from) ? int.MaxValue : Math.Max(WireFormat.HeaderLength + 1, received.ByteCount);
        var reply = _instance.ProcessMessage(message, maxReplyLength, from);
        _instance.DispatchChanges();
        if (reply is null || (maxReplyLength != int.MaxValue && reply.SerializedLength > received.ByteCount))
        {
            return;
        }

        Send(from, reply);
        _peerTable.OnReplySent(from, reply);
    }

    private void Send(IPEndPoint to, ChitchatMessage message)
    {
        var written = _simulation.Send(this, to, message);
        CountSent(written);
    }
}
