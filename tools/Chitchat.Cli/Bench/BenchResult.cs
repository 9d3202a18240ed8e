namespace Chitchat.Cli.Bench;

/// <summary>
/// The outcome of one <c>chitchat bench</c> run: its parameters and every figure it measured, written as one
/// JSON object (snake_case) by <c>--json</c>. A figure the scenario does not measure stays null and is left out.
/// </summary>
/// <remarks>Times are in milliseconds, measured with a monotonic clock.</remarks>
internal sealed class BenchResult
{
    public required string Scenario { get; init; }

    public required int Nodes { get; init; }

    public required string Transport { get; init; }

    public required double IntervalMs { get; init; }

    public required int ProtocolVersion { get; init; }

    public required double Drop { get; init; }

    public int? Seed { get; init; }

    /// <summary>Gets the bound of each wait, in seconds.</summary>
    public required double TimeoutS { get; init; }

    /// <summary>Gets the bandwidth measurement window, in seconds (bandwidth only).</summary>
    public double? WindowS { get; init; }

    /// <summary>Gets the observation time, in seconds (stability and cpu).</summary>
    public double? DurationS { get; init; }

    /// <summary>
    /// Gets whether the scenario reached its goal within its bounds: every node converged (and, for detection,
    /// every survivor noticed the crash; for stability, the whole duration was observed).
    /// </summary>
    public bool Reached { get; set; }

    /// <summary>Gets the time the whole run took, shutdown excluded.</summary>
    public long ElapsedMs { get; set; }

    /// <summary>Gets the time it took to spawn the nodes (one after the other, as chitchat's perf tests do).</summary>
    public long? SpawnMs { get; set; }

    /// <summary>Gets the time from the first spawn until every node saw all nodes live.</summary>
    public long? ConvergenceMs { get; set; }

    /// <summary>Gets how many nodes saw all nodes live (less than <see cref="Nodes"/> if convergence timed out).</summary>
    public int? ConvergedNodes { get; set; }

    /// <summary>Gets the smallest live count among the nodes when the convergence wait ended.</summary>
    public int? LiveCountMin { get; set; }

    /// <summary>Gets the mean live count of the nodes when the convergence wait ended.</summary>
    public double? LiveCountMean { get; set; }

    /// <summary>Gets the node id of the crashed node (detection).</summary>
    public string? CrashedNode { get; set; }

    /// <summary>Gets the time from the crash until node 1 no longer listed the crashed node live (TM1–TM5's figure).</summary>
    public long? DetectionFirstMs { get; set; }

    /// <summary>Gets the time from the crash until no survivor listed the crashed node live.</summary>
    public long? DetectionAllMs { get; set; }

    /// <summary>Gets how many survivors noticed the crash within the bound.</summary>
    public int? DetectedBy { get; set; }

    /// <summary>
    /// Gets the datagrams the operating system dropped before the nodes read them (UDP on Linux: the receive buffers'
    /// overflows, summed over the nodes' sockets), counted at the end of the run; null when unknown.
    /// </summary>
    public long? KernelDrops { get; set; }

    /// <summary>Gets the messages the in-memory transport dropped because a node's inbox was full; null over UDP.</summary>
    public long? InboxDrops { get; set; }

    public double? BytesPerSecPerNode { get; set; }

    public double? MessagesPerSecPerNode { get; set; }

    /// <summary>Gets the mean size of a gossip message over the bandwidth window.</summary>
    public double? BytesPerMessage { get; set; }

    /// <summary>
    /// Gets the number of false death declarations: a node that every node saw live is later missing from an
    /// observer's live set or present in its dead set (one per observer and transition).
    /// </summary>
    public int? FalseDeaths { get; set; }

    /// <summary>Gets how many distinct nodes were falsely declared dead by at least one observer.</summary>
    public int? FalseDeathSubjects { get; set; }

    /// <summary>Gets the processor time of the whole process per second of wall time (1.0 = one core busy).</summary>
    public double? CpuCores { get; set; }

    public double? CpuMsPerNodeSec { get; set; }

    public double? AllocBytesPerNodeSec { get; set; }

    /// <summary>Gets the garbage collections per generation during the observation.</summary>
    public BenchGcCounts? GcCount { get; set; }

    /// <summary>Gets the total time the garbage collector paused the process during the observation.</summary>
    public long? GcPauseMs { get; set; }

    /// <summary>
    /// Gets the size of the managed heap after the last garbage collection of the observation (live objects,
    /// garbage of older generations not yet collected and fragmentation; <see cref="GCMemoryInfo.HeapSizeBytes"/>).
    /// </summary>
    public long? HeapBytes { get; set; }

    /// <summary>Gets the bytes still reachable after a full blocking collection at the end of the observation.</summary>
    public long? LiveHeapBytes { get; set; }

    /// <summary>Gets the process working set at the end of the observation.</summary>
    public long? WorkingSetBytes { get; set; }

    /// <summary>
    /// Gets the mean and maximum lateness of a 100 ms timer sampled during the observation: how long ready work
    /// waits for a thread-pool thread (near 0 when the process keeps up).
    /// </summary>
    public double? TimerLagMeanMs { get; set; }

    public double? TimerLagMaxMs { get; set; }

    public int? ThreadPoolThreads { get; set; }

    /// <summary>Gets the gossip rounds each node completed per second while observed (scale).</summary>
    public double? RoundsPerSecPerNode { get; set; }

    /// <summary>Gets the share of their scheduled gossip rounds the nodes completed while observed (scale): 1 on time.</summary>
    public double? RoundsOnSchedule { get; set; }

    /// <summary>Gets the messages dropped for lack of room while observed, by the inboxes or the kernel (scale).</summary>
    public long? DropsInWindow { get; set; }

    /// <summary>Gets whether real time kept up with this cluster (scale).</summary>
    public bool? KeepsUp { get; set; }

    /// <summary>Gets "keeps up", or what went wrong (scale).</summary>
    public string? Verdict { get; set; }

    public required int ProcessorCount { get; init; }

    public required string Runtime { get; init; }

    public required bool ServerGc { get; init; }
}
