using System.Net;

namespace Chitchat.State;

/// <summary>A point-in-time copy of the cluster state: every node state (in id order) and the seed addresses.</summary>
/// <remarks>Owns deep copies; safe to read from any thread while gossip goes on.</remarks>
public sealed class ClusterStateSnapshot
{
    internal ClusterStateSnapshot(IReadOnlyList<NodeState> nodeStates, IReadOnlyList<IPEndPoint> seedAddrs)
    {
        NodeStates = nodeStates;
        SeedAddrs = seedAddrs;
    }

    /// <summary>Gets copies of every node state, in <see cref="ChitchatId"/> order.</summary>
    public IReadOnlyList<NodeState> NodeStates { get; }

    /// <summary>Gets the seed addresses at the time of the snapshot.</summary>
    public IReadOnlyList<IPEndPoint> SeedAddrs { get; }
}
