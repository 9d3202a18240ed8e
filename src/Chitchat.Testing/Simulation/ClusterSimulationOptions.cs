using Microsoft.Extensions.Logging;

namespace Chitchat.Testing.Simulation;

/// <summary>The settings of a <see cref="ClusterSimulation"/>.</summary>
public sealed class ClusterSimulationOptions
{
    /// <summary>Gets or sets the seed of every random draw of the run (network faults, node random sources, start offsets).</summary>
    public int Seed { get; set; }

    /// <summary>Gets or sets the nodes' gossip interval (also their failure detector's initial interval). Default: 1 s.</summary>
    public TimeSpan GossipInterval { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>Gets or sets the protocol version the nodes start handshakes in. Default: V0.</summary>
    public ProtocolVersion ProtocolVersion { get; set; } = ProtocolVersion.V0;

    /// <summary>Gets or sets the cluster id of the nodes. Default: <c>simulation</c>.</summary>
    public string ClusterId { get; set; } = "simulation";

    /// <summary>Gets or sets how many of the first nodes added are every node's seeds. Default: 1.</summary>
    public int SeedCount { get; set; } = 1;

    /// <summary>
    /// Gets or sets whether a node's first gossip round comes at a random offset within one gossip interval after it
    /// is added (default), rather than at once: nodes started together do not gossip in lockstep.
    /// </summary>
    public bool StaggerStart { get; set; } = true;

    /// <summary>
    /// Gets or sets a callback that adjusts each node's configuration before it starts (failure detector, grace
    /// periods, initial key-values). The node id, generation, addresses, seeds, cluster id, gossip interval and
    /// protocol version are set before it runs.
    /// </summary>
    public Action<ChitchatConfig>? ConfigureNode { get; set; }

    /// <summary>
    /// Gets or sets how many threads may run nodes at once (default: 1). The run is the same whatever the value (same
    /// trace hash); above 1, the nodes' listeners and change streams may run on several threads at once (each node's
    /// on one thread at a time), so shared state they touch needs a lock.
    /// </summary>
    public int MaxDegreeOfParallelism { get; set; } = 1;

    /// <summary>Gets or sets where the nodes log (default: nowhere).</summary>
    public ILoggerFactory? LoggerFactory { get; set; }

    /// <summary>Throws if a setting is out of range.</summary>
    /// <exception cref="ArgumentException">A setting is out of range.</exception>
    public void Validate()
    {
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(GossipInterval, TimeSpan.Zero, nameof(GossipInterval));
        ArgumentOutOfRangeException.ThrowIfNegative(SeedCount, nameof(SeedCount));
        ArgumentOutOfRangeException.ThrowIfLessThan(MaxDegreeOfParallelism, 1, nameof(MaxDegreeOfParallelism));
        ArgumentException.ThrowIfNullOrEmpty(ClusterId, nameof(ClusterId));
    }
}
