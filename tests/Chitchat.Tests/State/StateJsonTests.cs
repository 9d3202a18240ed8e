using System.Net;
using System.Text.Json;
using Chitchat.Tests.Core;
using Microsoft.Extensions.Time.Testing;

namespace Chitchat.Tests.State;

/// <summary>The JSON document of the chitchat-test HTTP API (BEHAVIOUR.md §19).</summary>
public sealed class StateJsonTests
{
    [Fact]
    public void ToJson_SingleNode_MatchesRustPrettyPrinter()
    {
        var config = new ChitchatConfig(ChitchatId.ForLocalTest(10_001)) { ClusterId = "testing" };
        var node = new ChitchatInstance(config, [new("k", "vé")]);
        node.SetSeedAddrs(new HashSet<IPEndPoint> { IPEndPoint.Parse("127.0.0.1:10000") });

        node.CreateStateDocument().ToJson().ReplaceLineEndings("\n").Should().Be(
            """
            {
              "cluster_id": "testing",
              "cluster_state": {
                "node_states": [
                  {
                    "chitchat_id": {
                      "node_id": "node-10001",
                      "generation_id": 0,
                      "gossip_advertise_addr": "127.0.0.1:10001"
                    },
                    "heartbeat": 1,
                    "key_values": {
                      "k": {
                        "value": "vé",
                        "version": 1,
                        "status": "Set"
                      }
                    },
                    "max_version": 1,
                    "last_gc_version": 0
                  }
                ],
                "seed_addrs": [
                  "127.0.0.1:10000"
                ]
              },
              "live_nodes": [
                {
                  "node_id": "node-10001",
                  "generation_id": 0,
                  "gossip_advertise_addr": "127.0.0.1:10001"
                }
              ],
              "dead_nodes": []
            }
            """);
    }

    [Fact]
    public void ToJson_TwoNodesWithTombstones_HasChitchatShape()
    {
        var time = new FakeTimeProvider();
        var node1 = new ChitchatInstance(HandshakeHelpers.Config(10_001), [new("a", "1"), new("b", "2"), new("c", "3")], time);
        var node2 = new ChitchatInstance(
            new ChitchatConfig(new ChitchatId("node-v6", 7, IPEndPoint.Parse("[::1]:7280"))) { ClusterId = node1.ClusterId },
            timeProvider: time);
        node1.SelfNodeState.Delete("b");
        node1.SelfNodeState.DeleteAfterTtl("c");
        HandshakeHelpers.RunHandshake(node2, node1);

        using var json = JsonDocument.Parse(node2.CreateStateDocument().ToJson(indented: false));
        var root = json.RootElement;
        root.EnumerateObject().Select(p => p.Name).Should().Equal("cluster_id", "cluster_state", "live_nodes", "dead_nodes");
        var states = root.GetProperty("cluster_state").GetProperty("node_states");
        states.GetArrayLength().Should().Be(2);
        states[0].GetProperty("chitchat_id").GetProperty("node_id").GetString().Should().Be("node-10001");
        states[1].GetProperty("chitchat_id").GetProperty("gossip_advertise_addr").GetString().Should().Be("[::1]:7280");
        states[1].GetProperty("chitchat_id").GetProperty("generation_id").GetUInt64().Should().Be(7);
        var keyValues = states[0].GetProperty("key_values");
        keyValues.EnumerateObject().Select(p => (p.Name, p.Value.GetProperty("status").GetString()))
            .Should().Equal(("a", "Set"), ("b", "Delete"), ("c", "DeleteAfterTtl"));
        keyValues.GetProperty("b").GetProperty("value").GetString().Should().BeEmpty();
        states[0].GetProperty("max_version").GetUInt64().Should().Be(5);
        root.GetProperty("live_nodes")[0].GetProperty("node_id").GetString().Should().Be("node-v6", "live nodes start with self");
    }
}
