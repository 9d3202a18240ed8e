using Chitchat.State;
using Chitchat.Wire;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;
using static Chitchat.Tests.State.StateTestHelpers;

namespace Chitchat.Tests.State;

/// <summary>Digest and delta computation.</summary>
public sealed class DeltaComputationTests
{
    private static readonly IReadOnlySet<ChitchatId> s_none = new HashSet<ChitchatId>();

    /// <summary>The "test cluster state" of the Rust tests.</summary>
    private static ClusterState TestClusterState(TimeProvider? time = null)
    {
        var cluster = NewClusterState(time);
        var node1 = cluster.NodeStateOrCreate(ChitchatId.ForLocalTest(10_001));
        node1.SetWithVersion("key_a", "1", 1);
        node1.SetWithVersion("key_b", "2", 2);
        var node2 = cluster.NodeStateOrCreate(ChitchatId.ForLocalTest(10_002));
        node2.SetWithVersion("key_a", "1", 1);
        node2.SetWithVersion("key_b", "2", 2);
        node2.SetWithVersion("key_c", "3", 3);
        node2.SetWithVersion("key_d", "4", 4);
        node2.Delete("key_d");
        return cluster;
    }

    [Fact]
    public void ComputeDigest_ListsEveryNode() // TF12
    {
        var cluster = NewClusterState();
        cluster.NodeStateOrCreate(ChitchatId.ForLocalTest(10_001)).Set("key_a", string.Empty);
        var node2 = cluster.NodeStateOrCreate(ChitchatId.ForLocalTest(10_002));
        node2.LastGcVersion = 10;
        node2.Set("key_a", string.Empty);
        node2.Set("key_b", string.Empty);

        var digest = cluster.ComputeDigest(s_none);
        digest.Should().Be(Digest((10_001, 0, 0, 1), (10_002, 0, 10, 2)));
    }

    [Fact]
    public void ComputeDigest_ExcludesScheduledForDeletion()
    {
        var cluster = TestClusterState();
        var digest = cluster.ComputeDigest(new HashSet<ChitchatId> { ChitchatId.ForLocalTest(10_002) });
        digest.NodeDigests.Keys.Should().Equal(ChitchatId.ForLocalTest(10_001));
    }

    [Fact]
    public void ComputePartialDelta_DepthFirst_MostStaleNodeFirst() // TF15, TF16
    {
        var cluster = TestClusterState();
        var peerDigest = Digest((10_001, 0, 0, 1), (10_002, 0, 0, 2));
        string[] expected =
        [
            "10002(gc 0, from 2): key_c=3@3/Set, key_d=@5/Deleted",
            "10001(gc 0, from 1): key_b=2@2/Set",
        ];

        var unbounded = cluster.ComputePartialDelta(peerDigest, 65_507, s_none, NullLogger.Instance);
        Describe(unbounded).Should().Equal(expected);
        AssertEveryMtuGivesAPrefix(cluster, peerDigest, unbounded, s_none);
    }

    [Fact]
    public void ComputePartialDelta_NodeMissingFromDigest_SentFromScratchFirst() // TF17
    {
        var cluster = TestClusterState();
        var peerDigest = Digest((10_002, 0, 0, 3));
        var delta = cluster.ComputePartialDelta(peerDigest, 65_507, s_none, NullLogger.Instance);
        Describe(delta).Should().Equal(
            "10001(gc 0, from 0): key_a=1@1/Set, key_b=2@2/Set",
            "10002(gc 0, from 3): key_d=@5/Deleted");
        AssertEveryMtuGivesAPrefix(cluster, peerDigest, delta, s_none);
    }

    [Fact]
    public void ComputePartialDelta_ScheduledForDeletion_IsNotShared() // TF18
    {
        var cluster = TestClusterState();
        var excluded = new HashSet<ChitchatId> { ChitchatId.ForLocalTest(10_002) };
        var delta = cluster.ComputePartialDelta(new Digest(), 65_507, excluded, NullLogger.Instance);
        Describe(delta).Should().Equal("10001(gc 0, from 0): key_a=1@1/Set, key_b=2@2/Set");
    }

    [Fact]
    public void ComputePartialDelta_PeerBehindGcFrontier_IsReset() // TF19
    {
        var time = new FakeTimeProvider();
        var cluster = NewClusterState(time);
        var node1 = cluster.NodeStateOrCreate(ChitchatId.ForLocalTest(10_001));
        node1.TrySetHeartbeat(10_000);
        node1.Set("key_a", "1");
        node1.Set("key_b", "2");
        var node2 = cluster.NodeStateOrCreate(ChitchatId.ForLocalTest(10_002));
        node2.SetWithVersion("key_c", "3", 2);
        var peerDigest = Digest((10_001, 0, 0, 1));

        var delta = cluster.ComputePartialDelta(peerDigest, 65_507, s_none, NullLogger.Instance);
        Describe(delta).Should().Equal("10002(gc 0, from 0): key_c=3@2/Set", "10001(gc 0, from 1): key_b=2@2/Set");
        delta.SerializedLength.Should().Be(76);

        node1.Delete("key_a");
        time.Advance(TimeSpan.FromSeconds(5));
        cluster.GcKeysMarkedForDeletion(TimeSpan.FromSeconds(10));
        delta = cluster.ComputePartialDelta(peerDigest, 65_507, s_none, NullLogger.Instance);
        Describe(delta).Should().Equal("10002(gc 0, from 0): key_c=3@2/Set", "10001(gc 0, from 1): key_b=2@2/Set, key_a=@3/Deleted");
        delta.SerializedLength.Should().Be(90);

        time.Advance(TimeSpan.FromSeconds(10));
        node1.GcKeysMarkedForDeletion(TimeSpan.FromSeconds(10), time.GetTimestamp());
        node1.LastGcVersion.Should().Be(3);
        delta = cluster.ComputePartialDelta(peerDigest, 65_507, s_none, NullLogger.Instance);
        Describe(delta).Should().Equal("10002(gc 0, from 0): key_c=3@2/Set", "10001(gc 3, from 0): key_b=2@2/Set");
        delta.SerializedLength.Should().Be(75);
    }

    [Fact]
    public void ComputePartialDelta_AllStaleEntriesCollected_SendsSetMaxVersion()
    {
        var time = new FakeTimeProvider();
        var cluster = NewClusterState(time);
        var node = cluster.NodeStateOrCreate(ChitchatId.ForLocalTest(10_001));
        node.Set("key_a", "1");
        node.Set("key_b", "2");
        node.Delete("key_b");
        time.Advance(TimeSpan.FromSeconds(10));
        cluster.GcKeysMarkedForDeletion(TimeSpan.FromSeconds(10));

        // The peer has version 2 (key_b) but not its deletion, which was garbage-collected (gc 3 > 2 but
        // the peer's gc 3 means no reset).
        var delta = cluster.ComputePartialDelta(Digest((10_001, 0, 3, 2)), 65_507, s_none, NullLogger.Instance);
        delta.NodeDeltas.Should().ContainSingle();
        delta.NodeDeltas[0].KeyValues.Should().BeEmpty();
        delta.NodeDeltas[0].MaxVersion.Should().Be(3);
        ChitchatMessage.TryDeserialize(new ChitchatMessage.Ack(delta).SerializeToArray(), out var decoded, out _).Should().BeTrue();
        ((ChitchatMessage.Ack)decoded!).Delta.Should().Be(delta);
    }

    [Fact]
    public void ComputePartialDelta_BudgetBelowMinimum_ReturnsEmptyDelta()
    {
        var cluster = TestClusterState();
        cluster.ComputePartialDelta(new Digest(), 99, s_none, NullLogger.Instance).Should().BeSameAs(Delta.Empty);
    }

    [Fact]
    public void ComputePartialDelta_NothingNewer_ReturnsEmptyDelta()
    {
        var cluster = TestClusterState();
        var delta = cluster.ComputePartialDelta(Digest((10_001, 0, 0, 2), (10_002, 0, 0, 5)), 65_507, s_none, NullLogger.Instance);
        delta.NodeDeltas.Should().BeEmpty();
        delta.SerializedLength.Should().Be(1);
    }

    /// <summary>For every budget from 100 to the unbounded length, the delta is a version prefix of the unbounded one.</summary>
    private static void AssertEveryMtuGivesAPrefix(ClusterState cluster, Digest peerDigest, Delta unbounded, IReadOnlySet<ChitchatId> excluded)
    {
        var full = unbounded.NodeDeltas.SelectMany(nd => nd.KeyValues.Select(kv => (nd.ChitchatId, kv))).ToList();
        for (var mtu = 100; mtu <= unbounded.SerializedLength + 10; mtu++)
        {
            var delta = cluster.ComputePartialDelta(peerDigest, mtu, excluded, NullLogger.Instance);
            delta.SerializedLength.Should().BeLessThanOrEqualTo(mtu);
            var atoms = delta.NodeDeltas.SelectMany(nd => nd.KeyValues.Select(kv => (nd.ChitchatId, kv))).ToList();
            atoms.Should().Equal(full.Take(atoms.Count), $"the delta at MTU {mtu} is a prefix of the unbounded delta");
        }
    }
}
