using Chitchat.Cli.Common;
using Chitchat.FailureDetection;

namespace Chitchat.Cli.Demo;

/// <summary>Reads the state of the demo cluster for display, through each node's lock (briefly).</summary>
internal static class DemoObserver
{
    public static IReadOnlyList<DemoRow> Observe(DemoCluster cluster)
    {
        var nodes = cluster.Incarnations;
        if (nodes.Count == 0)
        {
            return [];
        }

        var observer = nodes[0];
        var chitchat = observer.Handle.Chitchat;
        var snapshot = chitchat.GetClusterState();
        var seen = nodes.Select(node =>
        {
            if (node.Id.Equals(snapshot.Self))
            {
                snapshot.TryGetNodeState(snapshot.Self, out var self);
                return (Verdict: "self", Heartbeat: self?.Heartbeat, Phi: (double?)null, Keys: self?.Count);
            }

            snapshot.TryGetNodeState(node.Id, out var state);
            string verdict;
            double? phi = null;
            if (chitchat.TryGetLiveness(node.Id, out var liveness))
            {
                if (liveness.State == NodeLivenessState.Live)
                {
                    cluster.MarkSeenLive(node.Id);
                }

                // The failure detector judges a new member dead until it has heard enough heartbeats to compute
                // phi: a member that was never live is still joining, not dead (unless its process crashed).
                verdict = liveness.State switch
                {
                    NodeLivenessState.Live => "live",
                    NodeLivenessState.Dead when !cluster.WasSeenLive(node.Id) && !node.IsCrashed => "joining",
                    NodeLivenessState.Dead => "dead",
                    NodeLivenessState.ScheduledForDeletion => "forgetting",
                    _ => "joining",
                };
                phi = liveness.Phi;
            }
            else
            {
                verdict = state is not null ? "joining" : node.IsCrashed ? "forgotten" : "unknown";
            }

            return (Verdict: verdict, Heartbeat: state?.Heartbeat, Phi: phi, Keys: state?.Count);
        }).ToList();

        var rows = new List<DemoRow>(nodes.Count);
        for (var i = 0; i < nodes.Count; i++)
        {
            var node = nodes[i];
            int? liveView = node.IsCrashed ? null : node.Handle.Chitchat.GetClusterState().LiveNodes.Count;
            rows.Add(new DemoRow(
                node.Name,
                node.Id.GenerationId,
                SocketAddressFormat.Format(node.Address),
                node.IsCrashed,
                seen[i].Verdict,
                seen[i].Heartbeat,
                seen[i].Phi,
                seen[i].Keys,
                liveView));
        }

        return rows;
    }
}
