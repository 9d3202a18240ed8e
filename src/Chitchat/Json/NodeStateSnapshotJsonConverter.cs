using System.Text.Json;
using System.Text.Json.Serialization;
using Chitchat.State;

namespace Chitchat.Json;

/// <summary>
/// Writes a <see cref="NodeStateSnapshot"/> as chitchat serializes a node state: <c>chitchat_id</c>,
/// <c>heartbeat</c>, <c>key_values</c> (an object keyed by key, tombstones included), <c>max_version</c> and
/// <c>last_gc_version</c>.
/// </summary>
internal sealed class NodeStateSnapshotJsonConverter : JsonConverter<NodeStateSnapshot>
{
    private static readonly ChitchatIdJsonConverter s_ids = new();
    private static readonly VersionedValueJsonConverter s_values = new();

    public override NodeStateSnapshot Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
    {
        if (reader.TokenType != JsonTokenType.StartObject)
        {
            throw new JsonException("A node state must be a JSON object.");
        }

        ChitchatId? id = null;
        ulong heartbeat = 0, maxVersion = 0, lastGcVersion = 0;
        var entries = new List<KeyValuePair<string, VersionedValue>>();
        while (reader.Read() && reader.TokenType != JsonTokenType.EndObject)
        {
            var name = reader.GetString();
            reader.Read();
            switch (name)
            {
                case "chitchat_id":
                    id = s_ids.Read(ref reader, typeof(ChitchatId), options);
                    break;
                case "heartbeat":
                    heartbeat = reader.GetUInt64();
                    break;
                case "max_version":
                    maxVersion = reader.GetUInt64();
                    break;
                case "last_gc_version":
                    lastGcVersion = reader.GetUInt64();
                    break;
                case "key_values":
                    if (reader.TokenType != JsonTokenType.StartObject)
                    {
                        throw new JsonException("key_values must be a JSON object.");
                    }

                    while (reader.Read() && reader.TokenType != JsonTokenType.EndObject)
                    {
                        var key = reader.GetString()!;
                        reader.Read();
                        entries.Add(new(key, s_values.Read(ref reader, typeof(VersionedValue), options)));
                    }

                    break;
                default:
                    reader.Skip();
                    break;
            }
        }

        entries.Sort(static (a, b) => Utf8Ordinal.Instance.Compare(a.Key, b.Key));
        var visible = entries.Count(static e => !e.Value.IsDeleted);
        return new NodeStateSnapshot(
            id ?? throw new JsonException("A node state needs a chitchat_id."),
            heartbeat,
            maxVersion,
            lastGcVersion,
            [.. entries],
            visible);
    }

    public override void Write(Utf8JsonWriter writer, NodeStateSnapshot value, JsonSerializerOptions options)
    {
        writer.WriteStartObject();
        writer.WritePropertyName("chitchat_id");
        s_ids.Write(writer, value.ChitchatId, options);
        writer.WriteNumber("heartbeat", value.Heartbeat);
        writer.WriteStartObject("key_values");
        foreach (var (key, entry) in value.Entries)
        {
            writer.WritePropertyName(key);
            s_values.Write(writer, entry, options);
        }

        writer.WriteEndObject();
        writer.WriteNumber("max_version", value.MaxVersion);
        writer.WriteNumber("last_gc_version", value.LastGcVersion);
        writer.WriteEndObject();
    }
}
