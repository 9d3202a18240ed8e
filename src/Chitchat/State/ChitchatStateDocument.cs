using System.Text.Json;
using Chitchat.State.Json;

namespace Chitchat.State;

/// <summary>
/// What a chitchat node reports about itself: cluster id, every node state, seeds, live and dead nodes —
/// the document the Rust <c>chitchat-test</c> node serves on <c>GET /</c> (BEHAVIOUR.md §19).
/// </summary>
/// <remarks>
/// Take it under the node's lock with <see cref="ChitchatInstance.CreateStateDocument"/> (cheap copies),
/// then serialize it outside the lock. Immutable; safe to use from any thread.
/// </remarks>
public sealed class ChitchatStateDocument
{
    internal ChitchatStateDocument(string clusterId, ClusterStateSnapshot clusterState, IReadOnlyList<ChitchatId> liveNodes, IReadOnlyList<ChitchatId> deadNodes)
    {
        ClusterId = clusterId;
        ClusterState = clusterState;
        LiveNodes = liveNodes;
        DeadNodes = deadNodes;
    }

    /// <summary>Gets the cluster id.</summary>
    public string ClusterId { get; }

    /// <summary>Gets the node states (id order) and seed addresses.</summary>
    public ClusterStateSnapshot ClusterState { get; }

    /// <summary>Gets the live nodes, this node first.</summary>
    public IReadOnlyList<ChitchatId> LiveNodes { get; }

    /// <summary>Gets the dead nodes.</summary>
    public IReadOnlyList<ChitchatId> DeadNodes { get; }

    /// <summary>Serializes the document with chitchat's field names (<c>cluster_id</c>, <c>cluster_state</c>, …).</summary>
    /// <param name="indented">Pretty-print with two-space indentation, as the Rust node does.</param>
    /// <returns>The JSON text.</returns>
    public string ToJson(bool indented = true)
    {
        var document = new StateDocumentJson(
            ClusterId,
            StateJsonMapper.Map(ClusterState),
            LiveNodes.Select(StateJsonMapper.Map).ToList(),
            DeadNodes.Select(StateJsonMapper.Map).ToList());
        var context = indented ? StateJsonContext.Indented : StateJsonContext.Compact;
        return JsonSerializer.Serialize(document, context.StateDocumentJson);
    }
}
