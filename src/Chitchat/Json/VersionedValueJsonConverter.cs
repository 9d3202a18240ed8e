using System.Text.Json;
using System.Text.Json.Serialization;

namespace Chitchat.Json;

/// <summary>
/// Writes a <see cref="VersionedValue"/> as chitchat does: <c>{"value": …, "version": …, "status": "Set" |
/// "Delete" | "DeleteAfterTtl"}</c>. The local deletion timestamp is not written (it means nothing elsewhere).
/// </summary>
internal sealed class VersionedValueJsonConverter : JsonConverter<VersionedValue>
{
    public override VersionedValue Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
    {
        if (reader.TokenType != JsonTokenType.StartObject)
        {
            throw new JsonException("A versioned value must be a JSON object.");
        }

        string? value = null;
        ulong version = 0;
        var status = DeletionStatus.Set;
        while (reader.Read() && reader.TokenType != JsonTokenType.EndObject)
        {
            var name = reader.GetString();
            reader.Read();
            switch (name)
            {
                case "value":
                    value = reader.GetString();
                    break;
                case "version":
                    version = reader.GetUInt64();
                    break;
                case "status":
                    status = ParseStatus(reader.GetString());
                    break;
                default:
                    reader.Skip();
                    break;
            }
        }

        return new VersionedValue(value ?? throw new JsonException("A versioned value needs a value."), version, status);
    }

    public override void Write(Utf8JsonWriter writer, VersionedValue value, JsonSerializerOptions options)
    {
        writer.WriteStartObject();
        writer.WriteString("value", value.Value);
        writer.WriteNumber("version", value.Version);
        writer.WriteString("status", StatusName(value.Status));
        writer.WriteEndObject();
    }

    // The names of Rust's DeletionStatusMutation, which is what chitchat serializes.
    internal static string StatusName(DeletionStatus status) => status switch
    {
        DeletionStatus.Set => "Set",
        DeletionStatus.Deleted => "Delete",
        _ => "DeleteAfterTtl",
    };

    private static DeletionStatus ParseStatus(string? name) => name switch
    {
        "Set" => DeletionStatus.Set,
        "Delete" or "Deleted" => DeletionStatus.Deleted,
        "DeleteAfterTtl" => DeletionStatus.DeleteAfterTtl,
        _ => throw new JsonException($"'{name}' is not a deletion status (Set, Delete or DeleteAfterTtl)."),
    };
}
