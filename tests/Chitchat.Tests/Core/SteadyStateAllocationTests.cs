using System.Net;
using Chitchat.Wire;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;

namespace Chitchat.Tests.Core;

/// <summary>
/// Steady-state gossip between nodes that are in sync allocates per message and per member (digests), never
/// per key, and the per-round maintenance (liveness, tombstone GC) allocates nothing (docs/PERFORMANCE.md).
/// </summary>
public sealed class SteadyStateAllocationTests
{
    private const int Nodes = 20;

    private static ChitchatId Id(int i) => new($"alloc-node-{i:D2}", 7, new IPEndPoint(new IPAddress([10, 7, 0, (byte)i]), 7280));

    private static ChitchatInstance Instance(int self, int keys, TimeProvider time)
    {
        var config = new ChitchatConfig(Id(self)) { MarkedForDeletionGracePeriod = TimeSpan.FromHours(1) };
        var instance = new ChitchatInstance(config, Enumerable.Range(0, keys).Select(k => KeyValuePair.Create($"key-{k:D4}", $"value-{self}-{k}")), time, new Random(1));
        for (var i = 0; i < Nodes; i++)
        {
            if (i == self)
            {
                continue;
            }

            instance.ReportHeartbeat(Id(i), 1);
            var state = instance.NodeState(Id(i))!;
            for (var k = 0; k < keys; k++)
            {
                state.Set($"key-{k:D4}", $"value-{i}-{k}");
            }

            state.Delete("key-0000");
        }

        instance.SelfNodeState.Delete("key-0000");
        return instance;
    }

    /// <summary>
    /// Allocated bytes of one call after warm-up; the least of a few measurements, because the runtime itself
    /// occasionally allocates on the calling thread (tiered compilation), which is not the code under test.
    /// </summary>
    private static long Measure(Action action)
    {
        for (var i = 0; i < 3; i++)
        {
            action();
        }

        var least = long.MaxValue;
        for (var attempt = 0; attempt < 5 && least > 0; attempt++)
        {
            var before = GC.GetAllocatedBytesForCurrentThread();
            action();
            least = Math.Min(least, GC.GetAllocatedBytesForCurrentThread() - before);
        }

        return least;
    }

    private static long SteadyRoundAllocation(int keys)
    {
        var time = new FakeTimeProvider();
        var a = Instance(0, keys, time);
        var b = Instance(1, keys, time);
        var deltas = 0;
        var allocated = Measure(() =>
        {
            var synAck = (ChitchatMessage.SynAck)b.ProcessMessage(a.CreateSynMessage())!;
            var ack = (ChitchatMessage.Ack)a.ProcessMessage(synAck)!;
            b.ProcessMessage(ack);
            deltas += synAck.Delta.NodeDeltas.Count + ack.Delta.NodeDeltas.Count;
        });
        deltas.Should().Be(0, "the instances are in sync");
        return allocated;
    }

    [Fact]
    public void SteadyStateRound_InSync_AllocatesTheSameWhateverTheNumberOfKeys()
    {
        var fewKeys = SteadyRoundAllocation(10);
        var manyKeys = SteadyRoundAllocation(500);
        manyKeys.Should().Be(fewKeys, "an in-sync round allocates digests and messages, nothing per key");
        fewKeys.Should().BeLessThan(2 * Nodes * 64, "two digests of 20 entries (32 B each) and three small messages");
    }

    [Fact]
    public void ComputePartialDelta_UpToDatePeer_AllocatesNothing()
    {
        var time = new FakeTimeProvider();
        var a = Instance(0, 100, time);
        var b = Instance(1, 100, time);
        var peerDigest = b.CreateSynMessage().Digest;
        var excluded = new HashSet<ChitchatId>();
        var delta = Delta.Empty;
        Measure(() => delta = a.ClusterState.ComputePartialDelta(peerDigest, 60_000, excluded, NullLogger.Instance)).Should().Be(0);
        delta.Should().BeSameAs(Delta.Empty);
    }

    [Fact]
    public void RoundMaintenance_NothingChanged_AllocatesNothing()
    {
        var time = new FakeTimeProvider();
        var instance = Instance(0, 100, time);
        for (var heartbeat = 2UL; heartbeat < 5; heartbeat++)
        {
            for (var i = 1; i < Nodes; i++)
            {
                instance.ReportHeartbeat(Id(i), heartbeat);
            }

            time.Advance(TimeSpan.FromSeconds(1));
        }

        instance.UpdateNodesLiveness();
        instance.LiveNodes.Should().HaveCount(Nodes);
        var published = instance.LiveMembers.Version;

        Measure(() =>
        {
            instance.UpdateSelfHeartbeat();
            instance.GcKeysMarkedForDeletion();
            instance.UpdateNodesLiveness();
        }).Should().Be(0);
        instance.LiveMembers.Version.Should().Be(published);
        instance.NodeStates.Values.Should().OnlyContain(state => state.NumEntriesIncludingDeleted == 100, "tombstones are within the grace period");
    }

    [Fact]
    public void DecodeSyn_KnownIds_AllocatesNothingPerId()
    {
        var time = new FakeTimeProvider();
        var bytes = Instance(0, 10, time).CreateSynMessage().SerializeToArray();

        // Other tests decode thousands of ids concurrently and may evict ours: keep the best of a few tries.
        var best = long.MaxValue;
        for (var attempt = 0; attempt < 20 && best > 40 * Nodes + 512; attempt++)
        {
            best = Math.Min(best, Measure(() => ChitchatMessage.TryDeserialize(bytes, out _, out _)));
        }

        best.Should().BeLessThanOrEqualTo(40 * Nodes + 512, "the digest arrays (32 B per entry), the digest, the message and the cluster id");
    }
}
