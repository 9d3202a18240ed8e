using System.Net;
using Chitchat.Server;
using Chitchat.Transport;
using Chitchat.Wire;

namespace Chitchat.Testing.Simulation;

public sealed partial class SimulatedNode
{
    // The datagrams of one gossip round, reused every round.
    private readonly List<OutgoingDatagram> _outbox = [];

    /// <summary>Gets the node's gossip engine: every decision of a real node's server (targets, versions, padding, replies).</summary>
    internal GossipEngine Engine => _engine;

    /// <summary>Runs one gossip round, as the server loop does at each tick of its timer.</summary>
    internal void RunGossipRound()
    {
        _outbox.Clear();
        _engine.PlanRound(_outbox);
        foreach (var datagram in _outbox)
        {
            Send(datagram);
        }

        _outbox.Clear();
        _engine.CompleteRound();
    }

    /// <summary>Processes one datagram, as the server loop does: decode, then the engine's decision, then its reply.</summary>
    internal void Receive(IPEndPoint from, ReadOnlySpan<byte> datagram)
    {
        // A datagram that does not decode is dropped, as the UDP socket drops it.
        if (!MessageCodec.TryDecode(datagram, out var message, out _))
        {
            CountReceived(datagram.Length, decoded: false);
            return;
        }

        CountReceived(datagram.Length, decoded: true);
        if (_engine.Handle(new ReceivedMessage(from, message, datagram.Length)) is { } reply)
        {
            Send(reply);
        }
    }

    private void Send(in OutgoingDatagram datagram)
    {
        // The socket accepts every datagram (the network may then lose it), so every send succeeds.
        var written = _simulation.Send(this, datagram.To, datagram.Message);
        CountSent(written);
        _engine.OnSent(datagram, written);
    }
}
