using System.Text.Json;

namespace Chitchat.SimPlot;

/// <summary>The fields of one <c>chitchat simulate --json</c> line that the plots use.</summary>
internal sealed record SimulationRun(
    string Scenario,
    int Nodes,
    int Seed,
    int ProtocolVersion,
    double Loss,
    double JitterMs,
    double IntervalMs,
    double DurationS,
    double? ConvergenceRounds,
    double? DetectionMs,
    double? BytesPerSecPerNode,
    long FalseDeaths,
    long WallMs,
    long CpuMs)
{
    public static SimulationRun Parse(string line)
    {
        using var document = JsonDocument.Parse(line);
        var root = document.RootElement;
        double? Optional(string name) => root.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.Number ? value.GetDouble() : null;
        return new SimulationRun(
            root.GetProperty("scenario").GetString() ?? string.Empty,
            root.GetProperty("nodes").GetInt32(),
            root.GetProperty("seed").GetInt32(),
            root.GetProperty("protocol_version").GetInt32(),
            root.GetProperty("loss").GetDouble(),
            root.GetProperty("jitter_ms").GetDouble(),
            root.GetProperty("interval_ms").GetDouble(),
            root.GetProperty("duration_s").GetDouble(),
            Optional("convergence_rounds"),
            Optional("detection_ms"),
            Optional("bytes_per_sec_per_node"),
            root.GetProperty("false_deaths").GetInt64(),
            root.GetProperty("wall_ms").GetInt64(),
            root.TryGetProperty("cpu_ms", out var cpu) ? cpu.GetInt64() : 0);
    }
}
