using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace Chitchat.Cli.Json;

/// <summary>Source-generated JSON metadata of every document the tool reads or writes (no reflection).</summary>
[JsonSourceGenerationOptions(
    PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower,
    DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(SetKeyValueResponseJson))]
[JsonSerializable(typeof(DecodedDatagramJson))]
internal sealed partial class CliJsonContext : JsonSerializerContext
{
    private static CliJsonContext? s_pretty;

    /// <summary>
    /// Gets a context that writes pretty JSON (2-space indentation, like serde_json's pretty printer) and leaves
    /// non-ASCII text readable instead of escaping it.
    /// </summary>
    public static CliJsonContext Pretty => s_pretty ??= new CliJsonContext(new JsonSerializerOptions
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
        WriteIndented = true,
        IndentSize = 2,
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    });
}
