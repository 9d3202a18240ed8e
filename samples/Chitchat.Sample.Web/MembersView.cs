using Chitchat.State;

namespace Chitchat.Sample.Web;

/// <summary>What <c>GET /members</c> returns: the cluster as this node sees it.</summary>
/// <param name="ClusterId">The cluster id.</param>
/// <param name="Self">This node's id.</param>
/// <param name="Members">Every known member, this node included, in id order.</param>
public sealed record MembersView(string ClusterId, string Self, IReadOnlyList<MemberView> Members)
{
    /// <summary>Reads the members out of a cluster snapshot.</summary>
    /// <param name="state">The snapshot.</param>
    /// <returns>The view.</returns>
    public static MembersView From(ClusterStateSnapshot state)
    {
        ArgumentNullException.ThrowIfNull(state);
        var live = state.LiveNodes.ToHashSet();
        var members = state.NodeStates
            .Select(node => new MemberView(
                node.ChitchatId.NodeId,
                node.ChitchatId.GenerationId,
                node.ChitchatId.GossipAdvertiseEndPoint.ToString(),
                live.Contains(node.ChitchatId) ? "live" : "dead",
                node.TryGetValue("role", out var role) ? role : null))
            .ToList();
        return new MembersView(state.ClusterId, state.Self.NodeId, members);
    }
}

/// <summary>One member.</summary>
/// <param name="NodeId">Its node id.</param>
/// <param name="GenerationId">Its generation (grows at every restart).</param>
/// <param name="GossipAddress">The address it gossips on.</param>
/// <param name="State"><c>live</c> or <c>dead</c>, as this node's failure detector sees it.</param>
/// <param name="Role">The role it published, if any.</param>
public sealed record MemberView(string NodeId, ulong GenerationId, string GossipAddress, string State, string? Role);
