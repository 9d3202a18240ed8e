using Chitchat.FailureDetection;
using Microsoft.Extensions.Time.Testing;
using static Chitchat.Tests.Core.HandshakeHelpers;

namespace Chitchat.Tests.Core;

/// <summary>reset_node_state_if_update and liveness of reset nodes (TEST-CATALOG TI2, TI13, TI14).</summary>
public sealed class ResetNodeStateTests
{
    private static KeyValuePair<string, VersionedValue> Vv(string key, string value, ulong version) =>
        new(key, new VersionedValue(value, version, DeletionStatus.Set));

    [Fact]
    public void ResetNodeStateIfUpdate_ReplacesOrIgnores() // TI13
    {
        var node = new ChitchatInstance(Config(10_001));

        var node2 = ChitchatId.ForLocalTest(10_002);
        node.ResetNodeStateIfUpdate(node2, [Vv("foo", "bar", 1)], 1, 1_337);
        var state2 = node.NodeState(node2)!;
        state2.NumKeyValues.Should().Be(1);
        state2.Get("foo").Should().Be("bar");
        state2.MaxVersion.Should().Be(1);
        state2.LastGcVersion.Should().Be(1_337);

        var node3 = ChitchatId.ForLocalTest(10_003);
        var state3 = node.ClusterState.NodeStateOrCreate(node3);
        state3.Set("foo", "bar");
        state3.Set("qux", "baz");
        state3.Set("toto", "titi");
        node.ResetNodeStateIfUpdate(node3, [Vv("qux", "baz", 2), Vv("toto", "tutu", 4)], 4, 1_337);
        state3.KeyValues.Should().Equal(Kv("qux", "baz"), Kv("toto", "tutu"));
        state3.MaxVersion.Should().Be(4);
        state3.LastGcVersion.Should().Be(1_337);

        var node4 = ChitchatId.ForLocalTest(10_004);
        var state4 = node.ClusterState.NodeStateOrCreate(node4);
        state4.Set("foo", "bar");
        state4.Set("qux", "baz");
        state4.Set("toto", "titi");

        // chitchat 0.13: (gc 1337, max 2) is newer than (gc 0, max 3), so the snapshot applies (0.10.1 ignored it
        // because 2 < 3), and its max version is stored.
        node.ResetNodeStateIfUpdate(node4, [Vv("foo", "bar", 1), Vv("qux", "baz", 2)], 2, 1_337);
        state4.KeyValues.Should().Equal(Kv("foo", "bar"), Kv("qux", "baz"));
        state4.MonotonicProperty.Should().Be((1_337UL, 2UL));

        // Same GC version and a max version not above the replica's: obsolete, ignored.
        node.ResetNodeStateIfUpdate(node4, [Vv("foo", "new", 5)], 2, 1_337);
        state4.Get("foo").Should().Be("bar");
        node.ResetNodeStateIfUpdate(node4, [Vv("foo", "new", 5)], 100, 1_000);
        state4.Get("foo").Should().Be("bar", "a lower GC version is older whatever the max version");
    }

    [Fact]
    public void ResetNodeStateIfUpdate_SnapshotMaxVersionAboveItsKeys_IsStored()
    {
        // The newest mutations of the snapshot's owner were tombstones since garbage-collected: its max version is
        // above every key it still has. 0.13 stores it, so the next gossip delta continues from there.
        var node = new ChitchatInstance(Config(10_001));
        var other = ChitchatId.ForLocalTest(10_002);

        node.ResetNodeStateIfUpdate(other, [Vv("a", "1", 3)], 10, 8);

        node.NodeState(other)!.MonotonicProperty.Should().Be((8UL, 10UL));
    }

    [Fact]
    public void ResetNodeStateIfUpdate_NotNewer_ChangesNothing()
    {
        var node = new ChitchatInstance(Config(10_001));
        var other = ChitchatId.ForLocalTest(10_002);
        node.ResetNodeStateIfUpdate(other, [Vv("a", "1", 5)], 5, 0);

        node.ResetNodeStateIfUpdate(other, [Vv("a", "2", 6)], 5, 0);

        node.NodeState(other)!.Get("a").Should().Be("1");
        node.NodeState(other)!.MaxVersion.Should().Be(5);
    }

    [Fact]
    public void ResetNode_WithoutHeartbeatIncrease_IsNotLive() // TI2
    {
        var node = new ChitchatInstance(Config(10_001));
        var id = new ChitchatId("node-10", 0, new System.Net.IPEndPoint(System.Net.IPAddress.Loopback, 10));
        node.ResetNodeStateIfUpdate(id, [], 10_000, 10);
        node.ReportHeartbeat(id, 10_000);
        node.ReportHeartbeat(id, 10_000);
        node.UpdateNodesLiveness();
        node.LiveNodes.Should().Equal(node.SelfChitchatId);
    }

    [Fact]
    public void ResetNodeStateIfUpdate_GarbageCollectedNode_IsNotResurrected() // TI14
    {
        var time = new FakeTimeProvider();
        var config = Config(10_006);
        config.FailureDetectorConfig = new FailureDetectorConfig { DeadNodeGracePeriod = TimeSpan.FromSeconds(4) };
        var node = new ChitchatInstance(config, timeProvider: time);
        var other = ChitchatId.ForLocalTest(10_007);
        var state = node.ClusterState.NodeStateOrCreate(other);
        state.Set("a", "1");
        state.Set("b", "2");
        state.Set("c", "3");
        for (ulong heartbeat = 1; heartbeat <= 3; heartbeat++)
        {
            node.ReportHeartbeat(other, heartbeat);
            time.Advance(TimeSpan.FromMilliseconds(50));
        }

        node.UpdateNodesLiveness();
        node.LiveNodes.Should().Contain(other);
        node.NodeState(other).Should().NotBeNull();

        time.Advance(TimeSpan.FromSeconds(60));
        node.UpdateNodesLiveness();
        node.DeadNodes.Should().Contain(other);
        node.NodeState(other).Should().NotBeNull();

        time.Advance(TimeSpan.FromSeconds(5));
        node.UpdateNodesLiveness();
        node.NodeState(other).Should().BeNull();

        node.ResetNodeStateIfUpdate(other, [Vv("foo", "bar", 1)], 2, 1_337);
        node.NodeState(other).Should().BeNull("a recently garbage-collected node is not resurrected by a reset");
    }

    [Fact]
    public void ReportHeartbeat_ForgottenNode_RecreatedOnlyWithHigherHeartbeat()
    {
        var node = new ChitchatInstance(Config(10_001));
        var other = ChitchatId.ForLocalTest(10_002);
        node.ReportHeartbeat(other, 7);
        node.ClusterState.RemoveNode(other);

        node.ReportHeartbeat(other, 7);
        node.NodeState(other).Should().BeNull("same heartbeat: a zombie from a stale digest");
        node.ReportHeartbeat(other, 8);
        node.NodeState(other).Should().NotBeNull();
        node.NodeState(other)!.Heartbeat.Should().Be(8);
    }

    [Fact]
    public void RemoveNode_5000Forgotten_AllRememberedAndTheOldestEvictedBeyond()
    {
        // chitchat 0.13 remembers 5,000 forgotten members (0.10: 500), so zombies stay out in larger clusters.
        var node = new ChitchatInstance(Config(10_001));
        var ids = Enumerable.Range(0, 5_001).Select(i => new ChitchatId($"node-{i}", 1, new System.Net.IPEndPoint(System.Net.IPAddress.Loopback, 20_000 + (i % 40_000)))).ToList();
        foreach (var id in ids.Take(5_000))
        {
            node.ClusterState.NodeStateOrCreate(id);
            node.ClusterState.RemoveNode(id);
        }

        node.ClusterState.TryGetLastHeartbeatIfDeleted(ids[0], out _).Should().BeTrue();
        node.ClusterState.NodeStateOrCreate(ids[5_000]);
        node.ClusterState.RemoveNode(ids[5_000]);
        node.ClusterState.TryGetLastHeartbeatIfDeleted(ids[0], out _).Should().BeFalse();
        node.ClusterState.TryGetLastHeartbeatIfDeleted(ids[1], out _).Should().BeTrue();
    }

    [Fact]
    public void FailureDetectionTimeout_SelfUnknownAndLearnedNodes()
    {
        var time = new FakeTimeProvider();
        var node = new ChitchatInstance(Config(10_001), timeProvider: time);
        var other = ChitchatId.ForLocalTest(10_002);

        node.FailureDetectionTimeout(node.SelfChitchatId).Should().BeNull();
        node.FailureDetectionTimeout(other).Should().BeNull();
        node.ReportHeartbeat(other, 1); // creates the state; a first heartbeat is not reported to the detector
        node.ReportHeartbeat(other, 2);
        node.FailureDetectionTimeout(other).Should().BeNull("one reported heartbeat gives no interval yet");
        time.Advance(TimeSpan.FromSeconds(1));
        node.ReportHeartbeat(other, 3);

        // (1 s + 5 x 5 s prior) / 6 x phi threshold 8.
        node.FailureDetectionTimeout(other)!.Value.TotalSeconds.Should().BeApproximately(26.0 / 6.0 * 8.0, 1e-6, "TimeSpan keeps 100-ns ticks");
    }
}
