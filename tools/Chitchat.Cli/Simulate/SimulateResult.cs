namespace Chitchat.Cli.Simulate;

/// <summary>
/// The outcome of one <c>chitchat simulate</c> run, written as one JSON object (snake_case) by <c>--json</c>. Times
/// named <c>_ms</c> are virtual (simulated) except <see cref="WallMs"/>; a figure the run did not reach stays null.
/// </summary>
internal sealed class SimulateResult
{
    public required string Scenario { get; init; }

    public required int Nodes { get; init; }

    public required int Seed { get; init; }

    public required int ProtocolVersion { get; init; }

    public required double Loss { get; init; }

    public required double DelayMs { get; init; }

    public required double JitterMs { get; init; }

    public required double IntervalMs { get; init; }

    /// <summary>Gets the virtual time the run covered, in seconds (less than asked when it stopped once measured).</summary>
    public required double DurationS { get; set; }

    public required int Seeds { get; init; }

    /// <summary>Gets whether every running node saw every other running node live at its latest state, at the end.</summary>
    public bool ConvergedAtEnd { get; set; }

    /// <summary>Gets the virtual time until the cluster first converged (every node saw every other live).</summary>
    public double? ConvergenceMs { get; set; }

    /// <summary>Gets the virtual time of the first gossip round of the last node to start (nodes start within one interval).</summary>
    public double? LastStartMs { get; set; }

    /// <summary>Gets the gossip intervals from <see cref="LastStartMs"/> to convergence.</summary>
    public double? ConvergenceRounds { get; set; }

    /// <summary>Gets log4 of the node count: the rounds an epidemic with fan-out 3 needs to reach everyone, roughly.</summary>
    public double Log4Nodes { get; set; }

    /// <summary>
    /// Gets the virtual time from the crash until every other node saw the crashed node dead (crash), or from the split
    /// until each side saw the whole other side dead (partition).
    /// </summary>
    public double? DetectionMs { get; set; }

    /// <summary>Gets the virtual time from the heal (partition) or the end of the churn (churn) until convergence.</summary>
    public double? ReconvergenceMs { get; set; }

    /// <summary>Gets the bytes every node sent per second of virtual time, on average, in the window after convergence.</summary>
    public double? BytesPerSecPerNode { get; set; }

    /// <summary>Gets the bandwidth window, in virtual seconds (shorter than asked if the run ended first).</summary>
    public double? WindowS { get; set; }

    /// <summary>Gets how many times a running node, not cut off by a partition, was declared dead by another.</summary>
    public long FalseDeaths { get; set; }

    /// <summary>Gets the first false deaths (at most <see cref="SimulateRunner.ListedFalseDeaths"/>): who declared whom dead, when.</summary>
    public IReadOnlyList<SimulateFalseDeath>? FirstFalseDeaths { get; set; }

    /// <summary>Gets the crashes and restarts of the churn scenario.</summary>
    public int? Restarts { get; set; }

    public long GossipRounds { get; set; }

    public long SentDatagrams { get; set; }

    public long DeliveredDatagrams { get; set; }

    public long DeliveredBytes { get; set; }

    public long Events { get; set; }

    /// <summary>Gets the wall-clock time of the whole run, node creation included.</summary>
    public long WallMs { get; set; }

    /// <summary>Gets the processor time of the whole run, over all threads (the machine may be shared: wall time varies).</summary>
    public long CpuMs { get; set; }

    /// <summary>Gets how many threads could run nodes at once.</summary>
    public int Threads { get; set; }

    /// <summary>Gets the hash of every delivered datagram, in hexadecimal: equal runs have equal hashes.</summary>
    public string TraceHash { get; set; } = string.Empty;
}

/// <summary>A false death of a simulation run: <paramref name="Observer"/> declared the running <paramref name="Subject"/> dead.</summary>
/// <param name="Observer">The node id of the node that declared the other dead.</param>
/// <param name="Subject">The node id of the node declared dead.</param>
/// <param name="AtMs">When, in virtual milliseconds from the start.</param>
internal sealed record SimulateFalseDeath(string Observer, string Subject, double AtMs);
