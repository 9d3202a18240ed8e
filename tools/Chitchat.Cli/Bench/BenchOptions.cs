namespace Chitchat.Cli.Bench;

/// <summary>The parameters of one <c>chitchat bench</c> run.</summary>
/// <remarks>The defaults are those of chitchat's perf tests (<c>tests/perf_test.rs</c>) where they have one.</remarks>
internal sealed record BenchOptions
{
    /// <summary>The default drop probability of the stability scenario (TM10, TM11).</summary>
    public const double StabilityDefaultDrop = 0.5;

    /// <summary>The largest cluster: the in-memory node names are 127.0.0.1:10000+i.</summary>
    public const int MaxNodeCount = 50_000;

    public required BenchScenario Scenario { get; init; }

    /// <summary>Gets the number of nodes; node 0 is every node's seed.</summary>
    public int NodeCount { get; init; } = 10;

    public BenchTransportKind Transport { get; init; } = BenchTransportKind.Memory;

    /// <summary>Gets the gossip interval, also the failure detector's initial interval.</summary>
    public TimeSpan GossipInterval { get; init; } = TimeSpan.FromMilliseconds(300);

    /// <summary>Gets the protocol version every node starts its handshakes in.</summary>
    public ProtocolVersion ProtocolVersion { get; init; } = ProtocolVersion.V0;

    /// <summary>Gets the probability that a sent message is dropped; null means the scenario's default.</summary>
    public double? DropProbability { get; init; }

    /// <summary>Gets the seed of the drop decisions and of each node's random source; null means unseeded.</summary>
    public int? Seed { get; init; }

    /// <summary>Gets the measurement window of the bandwidth scenario.</summary>
    public TimeSpan Window { get; init; } = TimeSpan.FromSeconds(3);

    /// <summary>
    /// Gets how long the stability, cpu and scale scenarios observe each converged cluster; null means
    /// <see cref="EffectiveDuration"/>'s default.
    /// </summary>
    public TimeSpan? Duration { get; init; }

    /// <summary>
    /// Gets the step of the scale scenario: it measures clusters of <c>Step</c>, <c>2 × Step</c>, … nodes up to
    /// <see cref="NodeCount"/>; null means <see cref="EffectiveStep"/>'s default.
    /// </summary>
    public int? Step { get; init; }

    /// <summary>
    /// Gets the bound of each wait for a goal (convergence, then detection); null means
    /// <see cref="DefaultTimeout"/>.
    /// </summary>
    public TimeSpan? Timeout { get; init; }

    /// <summary>Gets the drop probability in effect: the given one, else 0.5 for stability and 0 otherwise.</summary>
    public double EffectiveDrop => DropProbability ?? (Scenario == BenchScenario.Stability ? StabilityDefaultDrop : 0.0);

    /// <summary>Gets the observation time in effect: the given one, else 10 s per step for scale and 30 s otherwise.</summary>
    public TimeSpan EffectiveDuration => Duration ?? TimeSpan.FromSeconds(Scenario == BenchScenario.Scale ? 10 : 30);

    /// <summary>Gets the step in effect: the given one, else 100 nodes (a tenth of the largest cluster below 1,000).</summary>
    public int EffectiveStep => Step ?? (NodeCount >= 1_000 ? 100 : Math.Max(2, (NodeCount + 9) / 10));

    /// <summary>
    /// Gets the cluster sizes of the scale scenario: multiples of <see cref="EffectiveStep"/>, then
    /// <see cref="NodeCount"/> if it is not one; only <see cref="NodeCount"/> for the other scenarios.
    /// </summary>
    public IReadOnlyList<int> Sizes
    {
        get
        {
            if (Scenario != BenchScenario.Scale)
            {
                return [NodeCount];
            }

            var step = EffectiveStep;
            var sizes = new List<int>();
            for (var size = step; size <= NodeCount; size += step)
            {
                sizes.Add(size);
            }

            if (sizes.Count == 0 || sizes[^1] != NodeCount)
            {
                sizes.Add(NodeCount);
            }

            return sizes;
        }
    }

    /// <summary>Gets the bound of each wait in effect.</summary>
    public TimeSpan EffectiveTimeout => Timeout ?? DefaultTimeout(NodeCount, GossipInterval);

    /// <summary>
    /// The default bound of a wait: 30 s, plus 100 gossip intervals for every 100 nodes beyond the first 100
    /// (a big cluster takes longer to spawn and to converge), so that the run ends even if the goal is never
    /// reached.
    /// </summary>
    public static TimeSpan DefaultTimeout(int nodeCount, TimeSpan gossipInterval)
    {
        var extra = Math.Max(0, nodeCount - 100) * gossipInterval;
        return TimeSpan.FromSeconds(30) + extra;
    }

    /// <summary>Returns an error message if the combination of parameters cannot run, else null.</summary>
    public string? Validate()
    {
        var minNodes = Scenario == BenchScenario.Detection ? 3 : 2;
        if (NodeCount < minNodes || NodeCount > MaxNodeCount)
        {
            return $"--nodes must be between {minNodes} and {MaxNodeCount} for the {Scenario.ToString().ToLowerInvariant()} scenario.";
        }

        if (GossipInterval <= TimeSpan.Zero)
        {
            return "--interval_ms must be positive.";
        }

        if (DropProbability is { } drop && (double.IsNaN(drop) || drop is < 0.0 or >= 1.0))
        {
            return "--drop must be at least 0 and less than 1.";
        }

        if (Window <= TimeSpan.Zero || Duration is { } duration && duration <= TimeSpan.Zero || Timeout is { } timeout && timeout <= TimeSpan.Zero)
        {
            return "--window_s, --duration_s and --timeout_s must be positive.";
        }

        if (Step is { } step && (step < 2 || step > NodeCount))
        {
            return $"--step must be between 2 and --nodes ({NodeCount}).";
        }

        return null;
    }
}
