using Chitchat.State;
using Chitchat.Wire;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;
using static Chitchat.Tests.State.StateTestHelpers;

namespace Chitchat.Tests.State;

/// <summary>Delta application.</summary>
public sealed class DeltaApplicationTests
{
    [Fact]
    public void ApplyDelta_AppliesNewerAndResetsIncompatible() // TF14
    {
        var cluster = NewClusterState();
        var node1 = cluster.NodeStateOrCreate(ChitchatId.ForLocalTest(10_001));
        node1.SetWithVersion("key_a", "1", 1);
        node1.SetWithVersion("key_b", "3", 3);
        var node2 = cluster.NodeStateOrCreate(ChitchatId.ForLocalTest(10_002));
        node2.SetWithVersion("key_c", "3", 1);

        var delta = Delta.FromNodeDeltas(
        [
            NodeDeltaFromKvs(10_001, 0, 0, Kv("key_b", "2", 2), Kv("key_a", "4", 4)),
            NodeDeltaFromKvs(10_002, 3, 0, Kv("key_d", "4", 4)),
        ]);
        cluster.ApplyDelta(delta, NullLogger.Instance).Should().BeTrue("node 10002 was reset");

        node1.GetVersioned("key_a").Should().Be(new VersionedValue("4", 4, DeletionStatus.Set));
        node1.GetVersioned("key_b").Should().Be(new VersionedValue("3", 3, DeletionStatus.Set));
        node2.KeyValuesIncludingDeleted.Should().ContainSingle()
            .Which.Should().Be(new KeyValuePair<string, VersionedValue>("key_d", new VersionedValue("4", 4, DeletionStatus.Set)));
        node2.LastGcVersion.Should().Be(3);
    }

    [Fact]
    public void ApplyDelta_UnknownNode_IsIgnored()
    {
        var cluster = NewClusterState();
        cluster.ApplyDelta(Delta.FromNodeDeltas([NodeDeltaFromKvs(10_009, 0, 0, Kv("k", "v", 1))]), NullLogger.Instance).Should().BeFalse();
        cluster.NodeStates.Should().BeEmpty("deltas never create node states");
    }

    [Fact]
    public void ApplyDelta_KeysOutOfOrderInMemory_AllApplied() // TF21
    {
        var state = NewNodeState(10_001);
        state.SetWithVersion("key_a", "val_a", 1);
        state.SetWithVersion("key_b", "val_a", 2);
        var nodeDelta = NodeDelta(10_001, 0, 2, 4, Kv("key_c", "val_c", 4), Kv("key_b", "val_b2", 3));

        state.ApplyDelta(nodeDelta, 0).Should().Be(DeltaStatus.Apply);
        state.NumKeyValues.Should().Be(3);
        state.MaxVersion.Should().Be(4);
        state.LastGcVersion.Should().Be(0);
        state.Get("key_a").Should().Be("val_a");
        state.Get("key_b").Should().Be("val_b2");
        state.Get("key_c").Should().Be("val_c");
    }

    [Fact]
    public void ApplyDelta_SameValueNewVersion_UpdatesVersion() // TF22
    {
        var state = NewNodeState(10_001);
        state.SetWithVersion("key_a", "val_a", 1);
        state.ApplyDelta(NodeDelta(10_001, 0, 1, 3, Kv("key_a", "val_a", 3)), 0).Should().Be(DeltaStatus.Apply);
        state.GetVersioned("key_a").Should().Be(new VersionedValue("val_a", 3, DeletionStatus.Set));
    }

    [Fact]
    public void ApplyDelta_FromTheFuture_IsRejected() // TF23
    {
        var state = NewNodeState(10_001);
        state.SetWithVersion("key_a", "val_a", 5);
        state.ApplyDelta(NodeDelta(10_001, 0, 6, 7, Kv("key_a", "new_val", 7)), 0).Should().Be(DeltaStatus.RejectFromTheFuture);
        state.GetVersioned("key_a").Should().Be(new VersionedValue("val_a", 5, DeletionStatus.Set));
    }

    [Fact]
    public void ApplyDelta_SenderGcBelowOurMax_AppliesWithoutReset() // TF24
    {
        var time = new FakeTimeProvider();
        var state = NewNodeState(10_001, time);
        state.SetWithVersion("key_a", "val_a", 17);
        state.Delete("key_a");
        time.Advance(TimeSpan.FromSeconds(10));
        state.GcKeysMarkedForDeletion(TimeSpan.FromSeconds(10), time.GetTimestamp());
        state.MonotonicProperty.Should().Be((18UL, 18UL));
        state.SetWithVersion("key_a", "val_a", 31);

        state.ApplyDelta(NodeDelta(10_001, 30, 31, 32, Kv("key_a", "new_val", 32)), time.GetTimestamp()).Should().Be(DeltaStatus.Apply);
        state.GetVersioned("key_a").Should().Be(new VersionedValue("new_val", 32, DeletionStatus.Set));
        state.MaxVersion.Should().Be(32);
    }

    [Fact]
    public void ApplyDelta_FresherFromScratchWithHigherGc_Resets() // TF25
    {
        var state = NewNodeState(10_001);
        state.SetWithVersion("key_a", "val_a", 17);
        state.ApplyDelta(NodeDelta(10_001, 30, 0, 32, Kv("key_b", "val_b", 32)), 0).Should().Be(DeltaStatus.ApplyAfterReset);
        state.GetVersioned("key_a").Should().BeNull();
        state.GetVersioned("key_b").Should().Be(new VersionedValue("val_b", 32, DeletionStatus.Set));
    }

    [Fact]
    public void ApplyDelta_OlderFromScratch_IsRejectedWithoutReset() // TF26
    {
        var state = NewNodeState(10_001);
        state.SetWithVersion("key_a", "val_a", 31);
        state.SetWithVersion("key_b", "val_b2", 32);
        state.ApplyDelta(NodeDelta(10_001, 17, 0, 30, Kv("key_b", "val_b", 30)), 0).Should().Be(DeltaStatus.RejectStale);
        state.MaxVersion.Should().Be(32);
        state.GetVersioned("key_b").Should().Be(new VersionedValue("val_b2", 32, DeletionStatus.Set));
    }

    [Fact]
    public void ApplyDelta_ResetKeepsMonotonicProperty() // TF27
    {
        var state = NewNodeState(10_001);
        state.SetWithVersion("key_a", "val_a", 50);
        state.SetWithVersion("key_b", "val_b", 70);
        state.LastGcVersion = 50;
        var before = state.MonotonicProperty;

        var nodeDelta = NodeDelta(10_001, 120, 0, 80, Kv("key_c", "val_c", 80));
        state.CheckDeltaStatus(nodeDelta).Should().Be(DeltaStatus.ApplyAfterReset);
        state.ApplyDelta(nodeDelta, 0).Should().Be(DeltaStatus.ApplyAfterReset);

        state.MonotonicProperty.Should().Be((120UL, 80UL));
        state.MonotonicProperty.CompareTo(before).Should().BePositive();
        state.GetVersioned("key_a").Should().BeNull();
        state.GetVersioned("key_b").Should().BeNull();
        state.Get("key_c").Should().Be("val_c");
    }

    [Fact]
    public void ApplyDelta_SenderGcEqualsReceiverMax_IsApplied() // TF28
    {
        var state = NewNodeState(10_001);
        state.SetWithVersion("key_a", "val_a", 70);
        state.LastGcVersion = 50;
        var nodeDelta = NodeDelta(10_001, 70, 70, 100, Kv("key_b", "val_b", 100));
        state.CheckDeltaStatus(nodeDelta).Should().Be(DeltaStatus.Apply);
        state.ApplyDelta(nodeDelta, 0).Should().Be(DeltaStatus.Apply);
        state.MaxVersion.Should().Be(100);
        state.Get("key_b").Should().Be("val_b");
    }

    [Fact]
    public void ApplyDelta_GcEqualsMaxFromScratch_DoesNotReset() // TF29
    {
        var cluster = NewClusterState();
        var node = cluster.NodeStateOrCreate(ChitchatId.ForLocalTest(10_001));
        node.SetWithVersion("key_a", "val_a", 20);
        var delta = Delta.FromNodeDeltas([NodeDeltaFromKvs(10_001, 20, 0, Kv("key_b", "val_b", 18))]);
        cluster.ApplyDelta(delta, NullLogger.Instance).Should().BeFalse();
        node.MaxVersion.Should().Be(20);
        node.Get("key_a").Should().Be("val_a");
        node.GetVersioned("key_b").Should().BeNull();
    }

    [Fact]
    public void ApplyDelta_SetMaxVersionBelowLastKeyVersion_IsRejected() // TO5
    {
        // The Rust decoder accepts KV(v5) followed by SetMaxVersion(3); applying it crashes a Rust node.
        var datagram = new List<byte> { 0x53, 0xb0, 0x00, 0x02 };
        var ops = new List<byte>();
        var id = ChitchatId.ForLocalTest(10_001);
        var nodeOp = new byte[Chitchat.Wire.NodeDelta.NodeOpLength(id)];
        DeltaOps.WriteNode(nodeOp, id, 0, 0);
        ops.AddRange(nodeOp);
        var kvOp = new byte[KeyValueMutation.OpLengthOf("key", "value")];
        DeltaOps.WriteKeyValue(kvOp, "key", "value", 5, DeletionStatus.Set);
        ops.AddRange(kvOp);
        var setMax = new byte[Chitchat.Wire.NodeDelta.SetMaxVersionOpLength];
        DeltaOps.WriteSetMaxVersion(setMax, 3);
        ops.AddRange(setMax);
        datagram.Add(2);
        datagram.Add((byte)ops.Count);
        datagram.Add(0);
        datagram.AddRange(ops);
        datagram.Add(0);

        ChitchatMessage.TryDeserialize(datagram.ToArray(), out var message, out _).Should().BeTrue();
        var nodeDelta = ((ChitchatMessage.Ack)message!).Delta.NodeDeltas.Should().ContainSingle().Subject;
        nodeDelta.MaxVersion.Should().Be(3);

        var cluster = NewClusterState();
        var state = cluster.NodeStateOrCreate(id);
        state.SetWithVersion("key", "old", 1);
        cluster.ApplyDelta(((ChitchatMessage.Ack)message).Delta, NullLogger.Instance).Should().BeFalse();
        state.GetVersioned("key").Should().Be(new VersionedValue("old", 1, DeletionStatus.Set));
        state.MaxVersion.Should().Be(1);
    }

    [Fact]
    public void ApplyDelta_TombstoneAtOrBelowGcVersion_IsSkipped()
    {
        var state = NewNodeState(10_001);
        state.SetWithVersion("key_a", "a", 1);
        state.LastGcVersion = 3;
        state.ApplyDelta(NodeDelta(10_001, 3, 1, 4, Kv("old", string.Empty, 2, DeletionStatus.Deleted), Kv("key_b", "b", 4)), 0)
            .Should().Be(DeltaStatus.Apply);
        state.GetVersioned("old").Should().BeNull();
        state.Get("key_b").Should().Be("b");
        state.MaxVersion.Should().Be(4);
    }

    [Fact]
    public void ApplyDelta_TruncatedResetWithOnlyNodeOp_WipesReplica()
    {
        var state = NewNodeState(10_001);
        state.SetWithVersion("key_a", "a", 10);
        state.TrySetHeartbeat(42);
        state.ApplyDelta(NodeDelta(10_001, 50, 0, 0), 0).Should().Be(DeltaStatus.ApplyAfterReset);
        state.MonotonicProperty.Should().Be((50UL, 0UL));
        state.Heartbeat.Should().Be(0, "a reset also zeroes the replica's heartbeat");
        state.NumEntriesIncludingDeleted.Should().Be(0);
    }
}
