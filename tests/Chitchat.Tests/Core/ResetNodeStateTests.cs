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
        node.ResetNodeStateIfUpdate(node4, [Vv("foo", "bar", 1), Vv("qux", "baz", 2)], 2, 1_337);
        state4.KeyValues.Should().Equal(Kv("foo", "bar"), Kv("qux", "baz"), Kv("toto", "titi"));
        state4.MaxVersion.Should().Be(3);
    }

    [Fact]
    public void ResetNodeStateIfUpdate_NothingChanges_Throws()
    {
        var node = new ChitchatInstance(Config(10_001));
        var other = ChitchatId.ForLocalTest(10_002);
        var act = () => node.ResetNodeStateIfUpdate(other, [], 5, 0);
        act.Should().Throw<InvalidOperationException>("a reset that moves nothing forward is a contract violation");
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
}
