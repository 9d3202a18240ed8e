using System.Text.Json.Serialization;

namespace Chitchat.Cli.Bench;

/// <summary>Source-generated JSON metadata of the bench result: one compact object per line, snake_case.</summary>
[JsonSourceGenerationOptions(
    PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower,
    DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(BenchResult))]
[JsonSerializable(typeof(BenchScaleSummary))]
internal sealed partial class BenchJsonContext : JsonSerializerContext;
