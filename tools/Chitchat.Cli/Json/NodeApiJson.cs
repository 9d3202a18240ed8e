using System.Text.Json.Serialization;

namespace Chitchat.Cli.Json;

// The JSON documents of the node's HTTP API (BEHAVIOUR.md §19). Field names and order follow the serde
// serialization of chitchat-test's ApiResponse, so that tools written against a Rust node read a .NET node.

/// <summary>A node identity: <c>{"node_id", "generation_id", "gossip_advertise_addr"}</c>.</summary>
internal sealed record ChitchatIdJson(string NodeId, ulong GenerationId, string GossipAdvertiseAddr);

/// <summary>A stored value: <c>{"value", "version", "status"}</c>, status being Set, Delete or DeleteAfterTtl.</summary>
internal sealed record VersionedValueJson(string Value, ulong Version, string Status);

/// <summary>One node state; <see cref="KeyValues"/> is a JSON object in key order, tombstones included.</summary>
internal sealed record NodeStateJson(
    ChitchatIdJson ChitchatId,
    ulong Heartbeat,
    [property: JsonConverter(typeof(OrderedKeyValuesConverter))] IReadOnlyList<KeyValuePair<string, VersionedValueJson>> KeyValues,
    ulong MaxVersion,
    ulong LastGcVersion);

/// <summary>The cluster state: node states in id order and the seed addresses.</summary>
internal sealed record ClusterStateJson(IReadOnlyList<NodeStateJson> NodeStates, IReadOnlyList<string> SeedAddrs);

/// <summary>The answer of <c>GET /</c>.</summary>
internal sealed record ApiResponseJson(
    string ClusterId,
    ClusterStateJson ClusterState,
    IReadOnlyList<ChitchatIdJson> LiveNodes,
    IReadOnlyList<ChitchatIdJson> DeadNodes);

/// <summary>The answer of <c>GET /set_kv/</c> and <c>GET /mark_for_deletion/</c>: <c>{"status": true}</c>.</summary>
internal sealed record SetKeyValueResponseJson(bool Status);
