namespace Chitchat.Cli.Bench;

/// <summary>
/// The outcome of <c>chitchat bench scale</c>: the largest cluster one process keeps up with in real time, the first
/// size it does not, and why. With <c>--json</c> it is the last line, after one <see cref="BenchResult"/> per size.
/// </summary>
internal sealed class BenchScaleSummary
{
    public string Scenario { get; } = "scale_summary";

    public required string Transport { get; init; }

    public required double IntervalMs { get; init; }

    public required int ProtocolVersion { get; init; }

    /// <summary>Gets the largest cluster size asked for.</summary>
    public required int MaxNodes { get; init; }

    public required int Step { get; init; }

    /// <summary>Gets how long each converged cluster was observed, in seconds.</summary>
    public required double DurationS { get; init; }

    /// <summary>Gets the largest size measured that kept up; null if not even the first one did.</summary>
    public int? KeepsUpTo { get; init; }

    /// <summary>Gets the first size that did not keep up; null if every size did.</summary>
    public int? FirstFailureNodes { get; init; }

    /// <summary>Gets what went wrong at <see cref="FirstFailureNodes"/>.</summary>
    public string? FirstFailure { get; init; }

    /// <summary>Gets the result of every size measured, smallest first (not serialized: each is its own line).</summary>
    [System.Text.Json.Serialization.JsonIgnore]
    public IReadOnlyList<BenchResult> Steps { get; init; } = [];
}
