using System.Collections.Immutable;
using System.Net;
using System.Text.Json;
using System.Text.Json.Serialization;
using Chitchat.State;

namespace Chitchat.Json;

/// <summary>
/// Writes a <see cref="ClusterStateSnapshot"/> as <c>{"cluster_id", "self", "node_states": [...],
/// "seed_addrs": ["ip:port", ...], "live_nodes": [...], "dead_nodes": [...], "scheduled_for_deletion_nodes":
/// [...]}</c>; <c>node_states</c> and <c>seed_addrs</c> are the fields of chitchat's own cluster snapshot.
/// </summary>
internal sealed class ClusterStateSnapshotJsonConverter : JsonConverter<ClusterStateSnapshot>
{
    private static readonly ChitchatIdJsonConverter s_ids = new();
    private static readonly NodeStateSnapshotJsonConverter s_states = new();

    public override ClusterStateSnapshot Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
    {
        if (reader.TokenType != JsonTokenType.StartObject)
        {
            throw new JsonException("A cluster state must be a JSON object.");
        }

        string clusterId = string.Empty;
        ChitchatId? self = null;
        var states = ImmutableArray.CreateBuilder<NodeStateSnapshot>();
        var seeds = ImmutableArray.CreateBuilder<IPEndPoint>();
        ImmutableArray<ChitchatId> live = [], dead = [], scheduled = [];
        while (reader.Read() && reader.TokenType != JsonTokenType.EndObject)
        {
            var name = reader.GetString();
            reader.Read();
            switch (name)
            {
                case "cluster_id":
                    clusterId = reader.GetString() ?? string.Empty;
                    break;
                case "self":
                    self = s_ids.Read(ref reader, typeof(ChitchatId), options);
                    break;
                case "node_states":
                    ExpectArray(ref reader, name);
                    while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
                    {
                        states.Add(s_states.Read(ref reader, typeof(NodeStateSnapshot), options));
                    }

                    break;
                case "seed_addrs":
                    ExpectArray(ref reader, name);
                    while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
                    {
                        seeds.Add(ChitchatIdJsonConverter.ParseEndPoint(reader.GetString() ?? string.Empty));
                    }

                    break;
                case "live_nodes":
                    live = ReadIds(ref reader, name, options);
                    break;
                case "dead_nodes":
                    dead = ReadIds(ref reader, name, options);
                    break;
                case "scheduled_for_deletion_nodes":
                    scheduled = ReadIds(ref reader, name, options);
                    break;
                default:
                    reader.Skip();
                    break;
            }
        }

        states.Sort(static (a, b) => a.ChitchatId.CompareTo(b.ChitchatId));
        return new ClusterStateSnapshot(
            clusterId,
            self ?? throw new JsonException("A cluster state needs self."),
            states.ToImmutable(),
            seeds.ToImmutable(),
            live,
            dead,
            scheduled);
    }

    public override void Write(Utf8JsonWriter writer, ClusterStateSnapshot value, JsonSerializerOptions options)
    {
        writer.WriteStartObject();
        writer.WriteString("cluster_id", value.ClusterId);
        writer.WritePropertyName("self");
        s_ids.Write(writer, value.Self, options);
        writer.WriteStartArray("node_states");
        foreach (var state in value.NodeStates)
        {
            s_states.Write(writer, state, options);
        }

        writer.WriteEndArray();
        writer.WriteStartArray("seed_addrs");
        foreach (var seed in value.SeedEndPoints)
        {
            writer.WriteStringValue(seed.ToString());
        }

        writer.WriteEndArray();
        WriteIds(writer, "live_nodes", value.LiveNodes, options);
        WriteIds(writer, "dead_nodes", value.DeadNodes, options);
        WriteIds(writer, "scheduled_for_deletion_nodes", value.ScheduledForDeletionNodes, options);
        writer.WriteEndObject();
    }

    private static void ExpectArray(ref Utf8JsonReader reader, string? name)
    {
        if (reader.TokenType != JsonTokenType.StartArray)
        {
            throw new JsonException($"{name} must be a JSON array.");
        }
    }

    private static ImmutableArray<ChitchatId> ReadIds(ref Utf8JsonReader reader, string? name, JsonSerializerOptions options)
    {
        ExpectArray(ref reader, name);
        var ids = ImmutableArray.CreateBuilder<ChitchatId>();
        while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
        {
            ids.Add(s_ids.Read(ref reader, typeof(ChitchatId), options));
        }

        return ids.ToImmutable();
    }

    private static void WriteIds(Utf8JsonWriter writer, string name, IReadOnlyList<ChitchatId> ids, JsonSerializerOptions options)
    {
        writer.WriteStartArray(name);
        foreach (var id in ids)
        {
            s_ids.Write(writer, id, options);
        }

        writer.WriteEndArray();
    }
}
