using BenchmarkDotNet.Attributes;
using Chitchat.Changes;
using Chitchat.State;
using Chitchat.Wire;
using Microsoft.Extensions.Logging.Abstractions;

namespace Chitchat.Benchmarks;

/// <summary>
/// Receiving a 100-node × 10-key delta: <see cref="ClusterState.ApplyDelta"/> onto empty replicas and onto
/// up-to-date replicas (every node delta is stale), and <see cref="ChitchatInstance.ProcessMessage"/> of a full
/// SynAck (by a node that has just started) and of a full Ack (by a node that knows the members but none of
/// their keys). State-changing benchmarks build their receiver inside the measured method;
/// <see cref="CreateEmptyReplicas"/> and <see cref="CreateFreshInstance"/> measure that part alone.
/// </summary>
[MemoryDiagnoser]
public class DeltaApplyBenchmarks
{
    private const int Nodes = 100;
    private const int Keys = 10;

    private ChitchatId[] _ids = null!;
    private Delta _delta = null!;
    private ClusterState _upToDate = null!;
    private ChitchatMessage.SynAck _synAck = null!;
    private ChitchatMessage.Ack _ack = null!;
    private ChitchatConfig _receiverConfig = null!;

    [GlobalSetup]
    public void Setup()
    {
        var sender = StateFixtures.Instance(0, Nodes, Keys);
        _ids = [.. sender.NodeStates.Keys.Select(id => new ChitchatId(id.NodeId, id.GenerationId, id.GossipAdvertiseAddr))];

        // What the sender offers a peer that knows nothing, decoded as the receiver would see it.
        var synAck = (ChitchatMessage.SynAck)sender.ProcessMessage(new ChitchatMessage.Syn(StateFixtures.ClusterId, new Digest()))!;
        _synAck = (ChitchatMessage.SynAck)RoundTrip(synAck);
        _delta = _synAck.Delta;
        _ack = (ChitchatMessage.Ack)RoundTrip(new ChitchatMessage.Ack(synAck.Delta));
        if (_delta.NodeDeltas.Count != Nodes || _delta.NodeDeltas.Sum(n => n.KeyValues.Count) != Nodes * Keys)
        {
            throw new InvalidOperationException("The delta should carry every key-value of every node.");
        }

        _upToDate = NewEmptyReplicas();
        _upToDate.ApplyDelta(_delta, NullLogger.Instance);
        _receiverConfig = new ChitchatConfig(StateFixtures.NodeId(Nodes)) { ClusterId = StateFixtures.ClusterId };
    }

    [Benchmark]
    public object CreateEmptyReplicas() => NewEmptyReplicas();

    [Benchmark]
    public object ApplyDelta_EmptyReplicas()
    {
        var clusterState = NewEmptyReplicas();
        clusterState.ApplyDelta(_delta, NullLogger.Instance);
        return clusterState;
    }

    [Benchmark]
    public bool ApplyDelta_UpToDateReplicas() => _upToDate.ApplyDelta(_delta, NullLogger.Instance);

    [Benchmark]
    public object CreateFreshInstance() => new ChitchatInstance(_receiverConfig, random: new Random(42));

    [Benchmark]
    public ChitchatMessage? ProcessSynAck_FreshNode()
    {
        var instance = new ChitchatInstance(_receiverConfig, random: new Random(42));
        return instance.ProcessMessage(_synAck);
    }

    [Benchmark]
    public object ProcessAck_EmptyReplicas()
    {
        var instance = new ChitchatInstance(_receiverConfig, random: new Random(42));
        instance.ReportHeartbeatsInDigest(_synAck.Digest);
        instance.ProcessMessage(_ack);
        return instance;
    }

    private ClusterState NewEmptyReplicas()
    {
        var clusterState = new ClusterState(new ChangeLog(), TimeProvider.System, new Random(42));
        foreach (var id in _ids)
        {
            clusterState.NodeStateOrCreate(id);
        }

        return clusterState;
    }

    private static ChitchatMessage RoundTrip(ChitchatMessage message) =>
        ChitchatMessage.TryDeserialize(message.SerializeToArray(), out var decoded, out var error)
            ? decoded
            : throw new InvalidOperationException(error.ToString());
}
