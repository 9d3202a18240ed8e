using System.Text.Json.Serialization;

namespace Chitchat.Cli.Simulate;

/// <summary>Source-generated JSON metadata of the simulation result: one compact object per line, snake_case.</summary>
[JsonSourceGenerationOptions(
    PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower,
    DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(SimulateResult))]
internal sealed partial class SimulateJsonContext : JsonSerializerContext;
