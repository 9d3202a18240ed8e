using System.Text.Encodings.Web;
using System.Text.Json;
using Chitchat.Json;
using Chitchat.State;

namespace Chitchat.Cli.Json;

/// <summary>
/// The document the Rust <c>chitchat-test</c> node serves on <c>GET /</c>: <c>{"cluster_id", "cluster_state":
/// {"node_states", "seed_addrs"}, "live_nodes", "dead_nodes"}</c>, written from a cluster snapshot with the
/// library's own converters for node states and ids.
/// </summary>
internal static class StateDocument
{
    // Like serde_json, write non-ASCII characters as they are instead of \uXXXX escapes.
    private static readonly JsonSerializerOptions s_options = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };
    private static readonly ChitchatJsonContext s_context = new(s_options);

    public static string ToJson(ClusterStateSnapshot snapshot, bool indented = true)
    {
        using var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer, new JsonWriterOptions { Indented = indented, Encoder = s_options.Encoder }))
        {
            writer.WriteStartObject();
            writer.WriteString("cluster_id", snapshot.ClusterId);
            writer.WriteStartObject("cluster_state");
            writer.WriteStartArray("node_states");
            foreach (var state in snapshot.NodeStates)
            {
                JsonSerializer.Serialize(writer, state, s_context.NodeStateSnapshot);
            }

            writer.WriteEndArray();
            writer.WriteStartArray("seed_addrs");
            foreach (var seed in snapshot.SeedEndPoints.Select(static seed => seed.ToString()).Order(StringComparer.Ordinal))
            {
                writer.WriteStringValue(seed);
            }

            writer.WriteEndArray();
            writer.WriteEndObject();
            WriteIds(writer, "live_nodes", snapshot.LiveNodes);
            WriteIds(writer, "dead_nodes", snapshot.DeadNodes);
            writer.WriteEndObject();
        }

        return System.Text.Encoding.UTF8.GetString(buffer.GetBuffer(), 0, (int)buffer.Length);
    }

    private static void WriteIds(Utf8JsonWriter writer, string name, IReadOnlyList<ChitchatId> ids)
    {
        writer.WriteStartArray(name);
        foreach (var id in ids)
        {
            JsonSerializer.Serialize(writer, id, s_context.ChitchatId);
        }

        writer.WriteEndArray();
    }
}
