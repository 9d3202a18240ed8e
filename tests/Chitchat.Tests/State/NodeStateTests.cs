using Microsoft.Extensions.Time.Testing;
using static Chitchat.Tests.State.StateTestHelpers;

namespace Chitchat.Tests.State;

/// <summary>Key-value operations.</summary>
public sealed class NodeStateTests
{
    [Fact]
    public void NodeState_UnknownNode_ReturnsNull() // TF6
    {
        var cluster = NewClusterState();
        cluster.NodeState(ChitchatId.ForLocalTest(10_001)).Should().BeNull();
    }

    [Fact]
    public void Set_FirstMutation_HasVersionOne() // TF7
    {
        var state = NewNodeState(10_001);
        state.Set("key_a", string.Empty);
        state.GetVersioned("key_a").Should().Be(new VersionedValue(string.Empty, 1, DeletionStatus.Set));
    }

    [Fact]
    public void Set_SuccessiveMutations_IncrementVersion() // TF8
    {
        var state = NewNodeState(10_001);
        state.Set("key_a", "1");
        state.GetVersioned("key_a")!.Version.Should().Be(1);
        state.Set("key_b", "2");
        state.GetVersioned("key_a").Should().Be(new VersionedValue("1", 1, DeletionStatus.Set));
        state.GetVersioned("key_b").Should().Be(new VersionedValue("2", 2, DeletionStatus.Set));
        state.Set("key_a", "3");
        state.GetVersioned("key_a").Should().Be(new VersionedValue("3", 3, DeletionStatus.Set));
        state.MaxVersion.Should().Be(3);
    }

    [Fact]
    public void Set_SameValue_IsNoOp() // TF9
    {
        var state = NewNodeState(10_001);
        state.Set("key", "1");
        state.Set("key", "1");
        state.GetVersioned("key")!.Version.Should().Be(1);
        state.MaxVersion.Should().Be(1);
    }

    [Fact]
    public void Delete_ThenSet_TombstoneThenNewVersion() // TF10
    {
        var time = new FakeTimeProvider();
        var state = NewNodeState(10_001, time);
        state.TrySetHeartbeat(10);
        state.Set("key", "1");
        state.Delete("key").Should().BeTrue();
        state.Get("key").Should().BeNull();
        var tombstone = state.GetVersioned("key")!;
        tombstone.Value.Should().BeEmpty();
        tombstone.Version.Should().Be(2);
        tombstone.IsDeleted.Should().BeTrue();
        tombstone.TimeOfStartScheduledForDeletion.Should().Be(time.GetTimestamp());

        state.Set("key", "2");
        var value = state.GetVersioned("key")!;
        value.Should().Be(new VersionedValue("2", 3, DeletionStatus.Set));
        value.IsDeleted.Should().BeFalse();
        value.TimeOfStartScheduledForDeletion.Should().BeNull();
    }

    [Fact]
    public void DeleteAfterTtl_ValueStaysVisibleUntilSetAgain() // TF11
    {
        var state = NewNodeState(10_001, new FakeTimeProvider());
        state.Set("key", "1");
        state.DeleteAfterTtl("key").Should().BeTrue();
        state.Get("key").Should().Be("1");
        var scheduled = state.GetVersioned("key")!;
        scheduled.Version.Should().Be(2);
        scheduled.Status.Should().Be(DeletionStatus.DeleteAfterTtl);
        scheduled.IsDeleted.Should().BeFalse();
        scheduled.TimeOfStartScheduledForDeletion.Should().NotBeNull();

        state.Set("key", "2");
        state.GetVersioned("key").Should().Be(new VersionedValue("2", 3, DeletionStatus.Set));
    }

    [Fact]
    public void Delete_MissingKey_IsNoOp()
    {
        var state = NewNodeState(10_001);
        state.Delete("missing").Should().BeFalse();
        state.DeleteAfterTtl("missing").Should().BeFalse();
        state.MaxVersion.Should().Be(0);
    }

    [Fact]
    public void Delete_AlreadyDeleted_CreatesNewVersion()
    {
        var state = NewNodeState(10_001, new FakeTimeProvider());
        state.Set("key", "1");
        state.Delete("key");
        state.Delete("key");
        state.GetVersioned("key")!.Version.Should().Be(3);
    }

    [Fact]
    public void SetDelete_KeyIsGone() // TF30
    {
        var state = NewNodeState(10_001);
        state.Set("key_a", "val_b");
        state.Delete("key_a");
        state.Get("key_a").Should().BeNull();
        state.ContainsKey("key_a").Should().BeFalse();
        state.NumKeyValues.Should().Be(0);
    }

    [Fact]
    public void SetDeleteAfterTtlSet_StatusIsSet() // TF31
    {
        var state = NewNodeState(10_001);
        state.Set("key_a", "val_b");
        state.DeleteAfterTtl("key_a");
        state.Set("key_a", "val_b2");
        state.GetVersioned("key_a")!.Status.Should().Be(DeletionStatus.Set);
        state.Get("key_a").Should().Be("val_b2");
    }

    [Fact]
    public void SetWithTtl_StatusIsDeleteAfterTtl() // TF32
    {
        var state = NewNodeState(10_001);
        state.SetWithTtl("key_a", "val_b");
        var entry = state.GetVersioned("key_a")!;
        entry.Status.Should().Be(DeletionStatus.DeleteAfterTtl);
        entry.Value.Should().Be("val_b");
        state.SetWithTtl("key_a", "val_b");
        state.MaxVersion.Should().Be(1, "setting the same value with a TTL again is a no-op");
    }

    [Fact]
    public void IterPrefix_ReturnsVisibleKeysWithPrefixInOrder() // TF20
    {
        var state = NewNodeState(10_001);
        foreach (var key in new[] { "Europe", "Europe:", "Europe:UK", "Asia:Japan", "Europe:Italy", "Africa:Uganda", "Oceania" })
        {
            state.Set(key, "x");
        }

        state.Delete("Europe:UK");
        state.IterPrefix("Europe:").Select(kv => kv.Key).Should().Equal("Europe:", "Europe:Italy");
    }

    [Fact]
    public void KeyValues_AreInUtf8ByteOrder()
    {
        var state = NewNodeState(10_001);
        state.Set("\uFF21", "fullwidth A"); // U+FF21: 3 UTF-8 bytes EF BC A1
        state.Set("\U0001F600", "emoji");    // U+1F600: 4 UTF-8 bytes F0 9F 98 80
        state.Set("b", "ascii");
        state.KeyValues.Select(kv => kv.Value).Should().Equal("ascii", "fullwidth A", "emoji");
    }

    [Fact]
    public void TrySetHeartbeat_FirstObservationIsNotAnUpdate()
    {
        var state = NewNodeState(10_001);
        state.TrySetHeartbeat(5).Should().BeFalse();
        state.Heartbeat.Should().Be(5);
        state.TrySetHeartbeat(5).Should().BeFalse();
        state.TrySetHeartbeat(4).Should().BeFalse();
        state.TrySetHeartbeat(6).Should().BeTrue();
        state.Heartbeat.Should().Be(6);
    }

    [Fact]
    public void GcKeysMarkedForDeletion_RemovesOnlyAfterGracePeriod() // TF13
    {
        var time = new FakeTimeProvider();
        var cluster = NewClusterState(time);
        var state = cluster.NodeStateOrCreate(ChitchatId.ForLocalTest(10_001));
        state.Set("key_a", "1");
        state.Delete("key_a");
        time.Advance(TimeSpan.FromSeconds(5));
        state.SetWithVersion("key_b", "3", 13);
        state.TrySetHeartbeat(110);

        cluster.GcKeysMarkedForDeletion(TimeSpan.FromSeconds(10));
        state.GetVersioned("key_a").Should().NotBeNull();
        state.GetVersioned("key_b").Should().NotBeNull();

        time.Advance(TimeSpan.FromSeconds(5) - TimeSpan.FromTicks(1));
        cluster.GcKeysMarkedForDeletion(TimeSpan.FromSeconds(10));
        state.GetVersioned("key_a").Should().NotBeNull("one tick before the grace period ends the tombstone stays");

        time.Advance(TimeSpan.FromTicks(1));
        cluster.GcKeysMarkedForDeletion(TimeSpan.FromSeconds(10));
        state.GetVersioned("key_a").Should().BeNull();
        state.GetVersioned("key_b").Should().NotBeNull();
        state.LastGcVersion.Should().Be(2);
        state.MaxVersion.Should().Be(13);
    }

    [Fact]
    public void GcKeysMarkedForDeletion_CollectsDeleteAfterTtlValues()
    {
        var time = new FakeTimeProvider();
        var state = NewNodeState(10_001, time);
        state.SetWithTtl("session", "abc");
        time.Advance(TimeSpan.FromSeconds(10));
        state.GcKeysMarkedForDeletion(TimeSpan.FromSeconds(10), time.GetTimestamp());
        state.GetVersioned("session").Should().BeNull();
        state.LastGcVersion.Should().Be(1);
    }

    [Fact]
    public void Set_ValueTooLargeForTheWire_ThrowsAndKeepsState()
    {
        var state = NewNodeState(10_001);
        state.Set("key", new string('x', 65_000));
        var act = () => state.Set("key", new string('x', 65_600));
        act.Should().Throw<ArgumentException>().WithMessage("*cannot carry*");
        var ttl = () => state.SetWithTtl("key2", new string('é', 33_000));
        ttl.Should().Throw<ArgumentException>();
        state.MaxVersion.Should().Be(1);
        state.Get("key").Should().HaveLength(65_000);
    }

    [Fact]
    public void NodeState_WithoutKeyValues_AllocatesNoKeyValueMap()
    {
        // A replica is kept for every member by every node: N² of them in one process (bench, simulate). One
        // without key-values is the node state object alone; the sorted map (three objects, 112 bytes) comes
        // with the first entry.
        var id = ChitchatId.ForLocalTest(10_001);
        var changes = new Chitchat.Changes.ChangeLog();
        var time = new FakeTimeProvider();
        Chitchat.State.NodeState? state = null;
        var bytes = AllocationMeter.Minimum(() =>
        {
            state = new Chitchat.State.NodeState(id, changes, time);
            _ = state.Get("key_a");
            _ = state.NumKeyValues;
        });

        bytes.Should().BeLessThan(200);
        state!.Set("key_a", "1");
        state.Get("key_a").Should().Be("1");
        state.NumKeyValues.Should().Be(1);
        NewNodeState(10_002).KeyValuesIncludingDeleted.Should().BeEmpty();
    }
}
