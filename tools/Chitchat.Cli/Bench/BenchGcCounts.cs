namespace Chitchat.Cli.Bench;

/// <summary>Garbage collections per generation over a time span (a gen1 collection also counts as gen0).</summary>
internal sealed record BenchGcCounts(int Gen0, int Gen1, int Gen2);
