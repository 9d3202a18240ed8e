using BenchmarkDotNet.Attributes;
using Chitchat.Wire;

namespace Chitchat.Benchmarks;

/// <summary>
/// One steady-state gossip round between two 100-node (10 keys each) instances that are in sync:
/// A creates a Syn, B answers with a SynAck, A answers with an Ack, B processes it. Both deltas are empty.
/// <see cref="SteadyStateRound"/> passes the message objects; <see cref="SteadyStateRound_OverTheWire"/> also
/// encodes every message into a datagram buffer and decodes it, as the transport does.
/// </summary>
[MemoryDiagnoser]
public class HandshakeBenchmarks
{
    private const int Nodes = 100;

    private readonly byte[] _datagram = new byte[WireFormat.MaxUdpDatagramPayloadSize];
    private ChitchatInstance _a = null!;
    private ChitchatInstance _b = null!;

    [GlobalSetup]
    public void Setup()
    {
        _a = StateFixtures.Instance(0, Nodes, 10);
        _b = StateFixtures.Instance(1, Nodes, 10);
        var synAck = (ChitchatMessage.SynAck)_b.ProcessMessage(_a.CreateSynMessage())!;
        var ack = (ChitchatMessage.Ack)_a.ProcessMessage(synAck)!;
        if (synAck.Delta.NodeDeltas.Count != 0 || ack.Delta.NodeDeltas.Count != 0)
        {
            throw new InvalidOperationException("The instances should be in sync.");
        }
    }

    [Benchmark]
    public ChitchatMessage? SteadyStateRound()
    {
        var synAck = _b.ProcessMessage(_a.CreateSynMessage())!;
        var ack = _a.ProcessMessage(synAck)!;
        return _b.ProcessMessage(ack);
    }

    [Benchmark]
    public ChitchatMessage? SteadyStateRound_OverTheWire()
    {
        var synAck = _b.ProcessMessage(Transmit(_a.CreateSynMessage()))!;
        var ack = _a.ProcessMessage(Transmit(synAck))!;
        return _b.ProcessMessage(Transmit(ack));
    }

    private ChitchatMessage Transmit(ChitchatMessage message)
    {
        var length = message.Serialize(_datagram);
        return ChitchatMessage.TryDeserialize(_datagram.AsSpan(0, length), out var decoded, out _)
            ? decoded
            : throw new InvalidOperationException("Decoding failed.");
    }
}
