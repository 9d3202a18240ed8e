namespace Chitchat.Cli.Simulate;

/// <summary>The parameters of one <c>chitchat simulate</c> run.</summary>
internal sealed record SimulateOptions
{
    /// <summary>The largest cluster the command accepts.</summary>
    public const int MaxNodeCount = 100_000;

    public required SimulateScenario Scenario { get; init; }

    /// <summary>Gets the number of nodes; the first <see cref="SeedCount"/> are every node's seeds.</summary>
    public int NodeCount { get; init; } = 100;

    public int Seed { get; init; }

    /// <summary>Gets the probability that a datagram is lost, on every link.</summary>
    public double Loss { get; init; }

    /// <summary>Gets the one-way delay of every datagram.</summary>
    public TimeSpan Delay { get; init; } = TimeSpan.FromMilliseconds(1);

    /// <summary>Gets the largest extra delay of a datagram, drawn uniformly.</summary>
    public TimeSpan Jitter { get; init; }

    /// <summary>Gets the total virtual time of the run.</summary>
    public TimeSpan Duration { get; init; } = TimeSpan.FromSeconds(60);

    /// <summary>Gets the bandwidth measurement window, right after convergence.</summary>
    public TimeSpan Window { get; init; } = TimeSpan.FromSeconds(10);

    public TimeSpan GossipInterval { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>
    /// Gets whether the run ends as soon as its scenario's figures are measured (for a converged cluster: after the
    /// bandwidth window and the scenario) rather than at <see cref="Duration"/>, which then only bounds it.
    /// </summary>
    public bool StopWhenMeasured { get; init; }

    public ProtocolVersion ProtocolVersion { get; init; } = ProtocolVersion.V0;

    public int SeedCount { get; init; } = 1;

    /// <summary>Gets how many threads may run nodes at once (the result does not depend on it).</summary>
    public int Threads { get; init; } = Environment.ProcessorCount;

    /// <summary>Returns an error message if the parameters cannot run, else null.</summary>
    public string? Validate()
    {
        var minNodes = Scenario is SimulateScenario.Converge ? 1 : 3;
        if (NodeCount < minNodes || NodeCount > MaxNodeCount)
        {
            return $"--nodes must be between {minNodes} and {MaxNodeCount} for the {Scenario.ToString().ToLowerInvariant()} scenario.";
        }

        if (double.IsNaN(Loss) || Loss is < 0.0 or >= 1.0)
        {
            return "--loss must be at least 0 and less than 1.";
        }

        if (Duration <= TimeSpan.Zero || Window <= TimeSpan.Zero || GossipInterval <= TimeSpan.Zero)
        {
            return "--duration_s, --window_s and --interval_ms must be positive.";
        }

        if (Delay < TimeSpan.Zero || Jitter < TimeSpan.Zero)
        {
            return "--delay_ms and --jitter_ms must not be negative.";
        }

        if (SeedCount < 1 || SeedCount > NodeCount)
        {
            return "--seeds must be between 1 and the number of nodes.";
        }

        if (Threads < 1)
        {
            return "--threads must be at least 1.";
        }

        return null;
    }
}
