using System.Text.Json;
using System.Text.Json.Serialization;

namespace Chitchat.Cli.Json;

/// <summary>
/// Writes a list of key-value pairs as a JSON object, keeping the list's order. Node states keep their keys
/// in UTF-8 byte order (as Rust's BTreeMap does); a dictionary would not promise to keep that order.
/// </summary>
internal sealed class OrderedKeyValuesConverter : JsonConverter<IReadOnlyList<KeyValuePair<string, VersionedValueJson>>>
{
    public override IReadOnlyList<KeyValuePair<string, VersionedValueJson>> Read(
        ref Utf8JsonReader reader,
        Type typeToConvert,
        JsonSerializerOptions options)
    {
        if (reader.TokenType != JsonTokenType.StartObject)
        {
            throw new JsonException("key_values must be a JSON object.");
        }

        var valueInfo = (System.Text.Json.Serialization.Metadata.JsonTypeInfo<VersionedValueJson>)options.GetTypeInfo(typeof(VersionedValueJson));
        var result = new List<KeyValuePair<string, VersionedValueJson>>();
        while (reader.Read() && reader.TokenType != JsonTokenType.EndObject)
        {
            var key = reader.GetString() ?? throw new JsonException("A key of key_values is null.");
            reader.Read();
            var value = JsonSerializer.Deserialize(ref reader, valueInfo) ?? throw new JsonException($"The value of key {key} is null.");
            result.Add(new KeyValuePair<string, VersionedValueJson>(key, value));
        }

        return result;
    }

    public override void Write(
        Utf8JsonWriter writer,
        IReadOnlyList<KeyValuePair<string, VersionedValueJson>> value,
        JsonSerializerOptions options)
    {
        var valueInfo = (System.Text.Json.Serialization.Metadata.JsonTypeInfo<VersionedValueJson>)options.GetTypeInfo(typeof(VersionedValueJson));
        writer.WriteStartObject();
        foreach (var (key, versionedValue) in value)
        {
            writer.WritePropertyName(key);
            JsonSerializer.Serialize(writer, versionedValue, valueInfo);
        }

        writer.WriteEndObject();
    }
}
