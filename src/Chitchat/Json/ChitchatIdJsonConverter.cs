using System.Globalization;
using System.Net;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace Chitchat.Json;

/// <summary>
/// Writes a <see cref="ChitchatId"/> as chitchat does (<c>{"node_id": …, "generation_id": …,
/// "gossip_advertise_addr": "ip:port"}</c>) and, as a dictionary key, as its <see cref="ChitchatId.ToString"/>
/// text <c>node_id:generation_id:ip:port</c>.
/// </summary>
internal sealed class ChitchatIdJsonConverter : JsonConverter<ChitchatId>
{
    public override ChitchatId Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
    {
        if (reader.TokenType != JsonTokenType.StartObject)
        {
            throw new JsonException("A chitchat id must be a JSON object.");
        }

        string? nodeId = null, address = null;
        ulong? generationId = null;
        while (reader.Read() && reader.TokenType != JsonTokenType.EndObject)
        {
            var name = reader.GetString();
            reader.Read();
            switch (name)
            {
                case "node_id":
                    nodeId = reader.GetString();
                    break;
                case "generation_id":
                    generationId = reader.GetUInt64();
                    break;
                case "gossip_advertise_addr":
                    address = reader.GetString();
                    break;
                default:
                    reader.Skip();
                    break;
            }
        }

        if (nodeId is null || generationId is null || address is null)
        {
            throw new JsonException("A chitchat id needs node_id, generation_id and gossip_advertise_addr.");
        }

        return new ChitchatId(nodeId, generationId.Value, ParseEndPoint(address));
    }

    public override void Write(Utf8JsonWriter writer, ChitchatId value, JsonSerializerOptions options)
    {
        writer.WriteStartObject();
        writer.WriteString("node_id", value.NodeId);
        writer.WriteNumber("generation_id", value.GenerationId);
        writer.WriteString("gossip_advertise_addr", value.GossipAdvertiseAddr.ToString());
        writer.WriteEndObject();
    }

    public override ChitchatId ReadAsPropertyName(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) =>
        ParseKey(reader.GetString() ?? throw new JsonException("A chitchat id key must be a string."));

    public override void WriteAsPropertyName(Utf8JsonWriter writer, ChitchatId value, JsonSerializerOptions options) =>
        writer.WritePropertyName(value.ToString());

    internal static IPEndPoint ParseEndPoint(string text) =>
        IPEndPoint.TryParse(text, out var endPoint) && text.Contains(':', StringComparison.Ordinal)
            ? endPoint
            : throw new JsonException($"'{text}' is not an IP endpoint (ip:port).");

    // node_id:generation_id:address, where the node id may itself contain ':' and the address is
    // "a.b.c.d:port" or "[v6]:port".
    private static ChitchatId ParseKey(string text)
    {
        int addressStart;
        if (text.EndsWith(']') is false && text.LastIndexOf("]:", StringComparison.Ordinal) is var bracket and > 0)
        {
            addressStart = text.LastIndexOf('[', bracket);
        }
        else
        {
            var portColon = text.LastIndexOf(':');
            addressStart = portColon > 0 ? text.LastIndexOf(':', portColon - 1) + 1 : -1;
        }

        var generationEnd = addressStart - 1;
        var generationStart = generationEnd > 0 ? text.LastIndexOf(':', generationEnd - 1) + 1 : 0;
        if (addressStart <= 0 || generationStart <= 0
            || !ulong.TryParse(text.AsSpan(generationStart, generationEnd - generationStart), NumberStyles.None, CultureInfo.InvariantCulture, out var generation))
        {
            throw new JsonException($"'{text}' is not a chitchat id key (node_id:generation_id:ip:port).");
        }

        return new ChitchatId(text[..(generationStart - 1)], generation, ParseEndPoint(text[addressStart..]));
    }
}
