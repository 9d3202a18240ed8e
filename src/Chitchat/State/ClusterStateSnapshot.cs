using System.Net;
using System.Text.Json;
using Chitchat.State.Json;

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

    /// <summary>
    /// Serializes the snapshot as chitchat does: <c>{"node_states": [...], "seed_addrs": [...]}</c>, each node
    /// state with <c>chitchat_id</c>, <c>heartbeat</c>, <c>key_values</c> (tombstones included, with status
    /// <c>Set</c>, <c>Delete</c> or <c>DeleteAfterTtl</c>), <c>max_version</c> and <c>last_gc_version</c>.
    /// </summary>
    /// <param name="indented">Pretty-print with two-space indentation.</param>
    /// <returns>The JSON text.</returns>
    public string ToJson(bool indented = true)
    {
        var json = StateJsonMapper.Map(this);
        return indented
            ? JsonSerializer.Serialize(json, StateJsonContext.Indented.ClusterStateJson)
            : JsonSerializer.Serialize(json, StateJsonContext.Compact.ClusterStateJson);
    }
}
