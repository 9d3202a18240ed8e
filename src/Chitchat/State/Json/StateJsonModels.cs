using System.Text.Json.Serialization;

namespace Chitchat.State.Json;

// Data shapes of the JSON the Rust chitchat-test node serves (BEHAVIOUR.md §19), field for field.
internal sealed record ChitchatIdJson(
    [property: JsonPropertyName("node_id")] string NodeId,
    [property: JsonPropertyName("generation_id")] ulong GenerationId,
    [property: JsonPropertyName("gossip_advertise_addr")] string GossipAdvertiseAddr);

internal sealed record VersionedValueJson(
    [property: JsonPropertyName("value")] string Value,
    [property: JsonPropertyName("version")] ulong Version,
    [property: JsonPropertyName("status")] string Status);

internal sealed record NodeStateJson(
    [property: JsonPropertyName("chitchat_id")] ChitchatIdJson ChitchatId,
    [property: JsonPropertyName("heartbeat")] ulong Heartbeat,
    [property: JsonPropertyName("key_values")] IReadOnlyDictionary<string, VersionedValueJson> KeyValues,
    [property: JsonPropertyName("max_version")] ulong MaxVersion,
    [property: JsonPropertyName("last_gc_version")] ulong LastGcVersion);

internal sealed record ClusterStateJson(
    [property: JsonPropertyName("node_states")] IReadOnlyList<NodeStateJson> NodeStates,
    [property: JsonPropertyName("seed_addrs")] IReadOnlyList<string> SeedAddrs);

internal sealed record StateDocumentJson(
    [property: JsonPropertyName("cluster_id")] string ClusterId,
    [property: JsonPropertyName("cluster_state")] ClusterStateJson ClusterState,
    [property: JsonPropertyName("live_nodes")] IReadOnlyList<ChitchatIdJson> LiveNodes,
    [property: JsonPropertyName("dead_nodes")] IReadOnlyList<ChitchatIdJson> DeadNodes);

[JsonSourceGenerationOptions(WriteIndented = true)]
[JsonSerializable(typeof(StateDocumentJson))]
[JsonSerializable(typeof(ClusterStateJson))]
internal sealed partial class StateJsonContext : JsonSerializerContext
{
    // Like serde_json, write non-ASCII characters as they are instead of \uXXXX escapes.
    private static readonly System.Text.Encodings.Web.JavaScriptEncoder s_encoder =
        System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping;

    /// <summary>Gets a context that writes indented JSON (two spaces, as serde_json's pretty printer).</summary>
    public static StateJsonContext Indented { get; } = new(new System.Text.Json.JsonSerializerOptions { WriteIndented = true, Encoder = s_encoder });

    /// <summary>Gets a context that writes compact (single-line) JSON.</summary>
    public static StateJsonContext Compact { get; } = new(new System.Text.Json.JsonSerializerOptions { WriteIndented = false, Encoder = s_encoder });
}

internal static class StateJsonMapper
{
    public static ChitchatIdJson Map(ChitchatId id) => new(id.NodeId, id.GenerationId, id.GossipAdvertiseAddr.ToString());

    public static ClusterStateJson Map(ClusterStateSnapshot snapshot)
    {
        var nodeStates = new List<NodeStateJson>(snapshot.NodeStates.Count);
        foreach (var state in snapshot.NodeStates)
        {
            var keyValues = new SortedDictionary<string, VersionedValueJson>(Utf8Ordinal.Instance);
            foreach (var (key, value) in state.KeyValuesIncludingDeleted)
            {
                keyValues.Add(key, new VersionedValueJson(value.Value, value.Version, StatusName(value.Status)));
            }

            nodeStates.Add(new NodeStateJson(Map(state.ChitchatId), state.Heartbeat, keyValues, state.MaxVersion, state.LastGcVersion));
        }

        var seeds = snapshot.SeedAddrs.Select(static addr => addr.ToString()).Order(StringComparer.Ordinal).ToList();
        return new ClusterStateJson(nodeStates, seeds);
    }

    // The names of Rust's DeletionStatusMutation, which is what chitchat serializes.
    private static string StatusName(DeletionStatus status) => status switch
    {
        DeletionStatus.Set => "Set",
        DeletionStatus.Deleted => "Delete",
        _ => "DeleteAfterTtl",
    };
}
