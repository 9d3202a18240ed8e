using System.Net;
using System.Text.Json;
using Chitchat.Changes;
using Chitchat.Json;
using Chitchat.Tests.Core;
using Microsoft.Extensions.Time.Testing;

namespace Chitchat.Tests.State;

/// <summary>The public models serialize and deserialize with System.Text.Json, in chitchat's shape.</summary>
public sealed class StateJsonTests
{
    [Fact]
    public void Serialize_ChitchatIdWithDefaultOptions_WritesChitchatShape()
    {
        // Reflection-based serialization used to walk IPEndPoint and throw "SocketException: Operation not supported".
        var json = JsonSerializer.Serialize(new ChitchatId("node-1", 7, IPEndPoint.Parse("[::1]:7280")));

        json.Should().Be("""{"node_id":"node-1","generation_id":7,"gossip_advertise_addr":"[::1]:7280"}""");
        JsonSerializer.Deserialize<ChitchatId>(json).Should().Be(new ChitchatId("node-1", 7, IPEndPoint.Parse("[::1]:7280")));
    }

    [Fact]
    public void Serialize_DictionaryKeyedByChitchatId_RoundTrips()
    {
        var ids = new[]
        {
            new ChitchatId("node:with:colons", 3, IPEndPoint.Parse("10.0.0.1:7280")),
            new ChitchatId("v6", 18_446_744_073_709_551_615, IPEndPoint.Parse("[fe80::1]:1")),
        };
        var map = ids.ToDictionary(id => id, id => id.NodeId);

        var json = JsonSerializer.Serialize(map);
        var back = JsonSerializer.Deserialize<Dictionary<ChitchatId, string>>(json)!;

        back.Should().BeEquivalentTo(map);
        json.Should().Contain("\"node:with:colons:3:10.0.0.1:7280\"");
    }

    [Fact]
    public void Serialize_NodeState_MatchesChitchatShape()
    {
        var node = new ChitchatInstance(new ChitchatConfig(ChitchatId.ForLocalTest(10_001)) { ClusterId = "testing" }, [new("k", "vé"), new("gone", "x")]);
        node.SelfNodeState.Delete("gone");

        var json = JsonSerializer.Serialize(node.SelfNodeState.ToSnapshot(), ChitchatJsonContext.Default.NodeStateSnapshot);

        var expected = """
            {
              "chitchat_id": { "node_id": "node-10001", "generation_id": 0, "gossip_advertise_addr": "127.0.0.1:10001" },
              "heartbeat": 1,
              "key_values": {
                "gone": { "value": "", "version": 3, "status": "Delete" },
                "k": { "value": "vé", "version": 1, "status": "Set" }
              },
              "max_version": 3,
              "last_gc_version": 0
            }
            """;
        System.Text.Json.Nodes.JsonNode.DeepEquals(System.Text.Json.Nodes.JsonNode.Parse(json), System.Text.Json.Nodes.JsonNode.Parse(expected))
            .Should().BeTrue(json);
        json.Should().StartWith("{\"chitchat_id\"", "fields keep chitchat's order");
    }

    [Fact]
    public void Serialize_ClusterState_RoundTripsWithSourceGeneratedContext()
    {
        var time = new FakeTimeProvider();
        var node1 = new ChitchatInstance(HandshakeHelpers.Config(10_001), [new("a", "1"), new("b", "2"), new("c", "3")], time);
        var node2 = new ChitchatInstance(
            new ChitchatConfig(new ChitchatId("node-v6", 7, IPEndPoint.Parse("[::1]:7280"))) { ClusterId = node1.ClusterId },
            timeProvider: time);
        node2.SetSeedAddrs(new HashSet<IPEndPoint> { IPEndPoint.Parse("127.0.0.1:10001") });
        node1.SelfNodeState.Delete("b");
        node1.SelfNodeState.DeleteAfterTtl("c");
        HandshakeHelpers.RunHandshake(node2, node1);
        var snapshot = node2.StateSnapshot();

        var json = JsonSerializer.Serialize(snapshot, ChitchatJsonContext.Default.ClusterStateSnapshot);
        var back = JsonSerializer.Deserialize(json, ChitchatJsonContext.Default.ClusterStateSnapshot)!;

        back.ClusterId.Should().Be(snapshot.ClusterId);
        back.Self.Should().Be(snapshot.Self);
        back.SeedEndPoints.Should().Equal(snapshot.SeedEndPoints);
        back.LiveNodes.Should().Equal(snapshot.LiveNodes);
        back.NodeStates.Select(s => s.ChitchatId).Should().Equal(snapshot.NodeStates.Select(s => s.ChitchatId));
        back.TryGetNodeState(ChitchatId.ForLocalTest(10_001), out var state).Should().BeTrue();
        state!.KeyValuesIncludingDeleted.Select(kv => (kv.Key, kv.Value.Value, kv.Value.Version, kv.Value.Status))
            .Should().Equal(("a", "1", 1UL, DeletionStatus.Set), ("b", "", 4UL, DeletionStatus.Deleted), ("c", "3", 5UL, DeletionStatus.DeleteAfterTtl));
        state.MaxVersion.Should().Be(5);
        JsonSerializer.Serialize(back, ChitchatJsonContext.Default.ClusterStateSnapshot).Should().Be(json);
    }

    [Fact]
    public void Serialize_ClusterChange_RoundTripsWithKindAsText()
    {
        var change = new ClusterChange(ClusterChangeKind.KeyExpired, ChitchatId.ForLocalTest(1), 4, "k", "v");

        var json = JsonSerializer.Serialize(change, ChitchatJsonContext.Default.ClusterChange);

        json.Should().Contain("\"kind\":\"KeyExpired\"");
        JsonSerializer.Deserialize(json, ChitchatJsonContext.Default.ClusterChange).Should().Be(change);
    }

    [Fact]
    public void Deserialize_BadChitchatId_ThrowsJsonException()
    {
        var act = () => JsonSerializer.Deserialize<ChitchatId>("""{"node_id":"n","generation_id":1,"gossip_advertise_addr":"not an address"}""");

        act.Should().Throw<JsonException>().WithMessage("*not an IP endpoint*");
    }
}
