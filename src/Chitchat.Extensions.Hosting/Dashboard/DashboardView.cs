using Chitchat.Changes;
using Chitchat.FailureDetection;
using Chitchat.State;

namespace Chitchat.Extensions.Hosting.Dashboard;

/// <summary>Builds the dashboard's documents from the node's immutable snapshots.</summary>
internal static class DashboardView
{
    /// <summary>A member whose phi is above this fraction of the threshold is shown as suspected.</summary>
    public const double SuspicionFraction = 0.5;

    public static string MemberKey(ChitchatId id) => $"{id.NodeId}@{id.GenerationId}";

    public static DashboardStateJson State(ChitchatRef node, ChitchatDashboardOptions options, MemberHistory history)
    {
        var snapshot = node.GetClusterState();
        var members = new List<DashboardMemberJson>(snapshot.NodeStates.Count);
        int live = 0, joining = 0, suspected = 0, dead = 0, left = 0, scheduled = 0;
        long keys = 0;
        var scheduledIds = snapshot.ScheduledForDeletionNodes.ToHashSet();
        var liveIds = snapshot.LiveNodes.ToHashSet();
        foreach (var state in snapshot.NodeStates)
        {
            var id = state.ChitchatId;
            var isSelf = id.Equals(snapshot.Self);
            double? phi = null;
            double? sinceHeartbeat = null;
            string verdict;
            if (isSelf)
            {
                verdict = "live";
            }
            else if (node.TryGetLiveness(id, out var liveness))
            {
                phi = liveness.Phi;
                sinceHeartbeat = liveness.SinceLastHeartbeat?.TotalMilliseconds;
                verdict = Verdict(liveness.State, phi, options.PhiThreshold, history.Observe(id, liveness.State == NodeLivenessState.Live), history.HasLeft(id));
            }
            else
            {
                verdict = scheduledIds.Contains(id) ? "scheduled for deletion" : liveIds.Contains(id) ? "live" : history.HasLeft(id) ? "left" : "dead";
            }

            switch (verdict)
            {
                case "live":
                    live++;
                    break;
                case "joining":
                    joining++;
                    break;
                case "suspected":
                    suspected++;
                    break;
                case "dead":
                    dead++;
                    break;
                case "left":
                    left++;
                    break;
                default:
                    scheduled++;
                    break;
            }

            keys += state.Count;
            members.Add(new DashboardMemberJson(
                MemberKey(id),
                id.NodeId,
                id.GenerationId,
                id.GossipAdvertiseEndPoint.ToString(),
                isSelf,
                verdict,
                phi,
                sinceHeartbeat,
                state.Heartbeat,
                state.Count,
                state.MaxVersion));
        }

        history.KeepOnly(snapshot.NodeStates.Select(static state => state.ChitchatId));
        return new DashboardStateJson(
            snapshot.ClusterId,
            MemberKey(snapshot.Self),
            options.PhiThreshold,
            options.AllowWrites,
            new DashboardTotalsJson(members.Count, live, joining, suspected, dead, left, scheduled, keys),
            members);
    }

    /// <summary>
    /// live, suspected (live, but phi above half the threshold), joining (not judged live yet: the failure
    /// detector calls a new member dead until it has heard enough heartbeats), dead, left (not live after it
    /// announced its departure) or scheduled for deletion.
    /// </summary>
    public static string Verdict(NodeLivenessState state, double? phi, double threshold, bool everLive, bool left = false) => state switch
    {
        NodeLivenessState.Dead when left => "left",
        NodeLivenessState.Live when phi > threshold * SuspicionFraction => "suspected",
        NodeLivenessState.Live => "live",
        NodeLivenessState.Unknown => "joining",
        NodeLivenessState.Dead when !everLive => "joining",
        NodeLivenessState.ScheduledForDeletion => "scheduled for deletion",
        _ => "dead",
    };

    /// <summary>The keys of <paramref name="member"/> starting with <paramref name="prefix"/>, or null for an unknown member.</summary>
    public static DashboardKeysJson? Keys(ChitchatRef node, string member, string prefix, int max)
    {
        var snapshot = node.GetClusterState();
        NodeStateSnapshot? state = snapshot.NodeStates.FirstOrDefault(s => MemberKey(s.ChitchatId) == member);
        if (state is null)
        {
            return null;
        }

        var entries = state.GetKeyValues(prefix);
        var keys = entries.Take(max)
            .Select(entry => new DashboardKeyJson(entry.Key, entry.Value.Value, entry.Value.Version, Status(entry.Value)))
            .ToList();
        return new DashboardKeysJson(member, prefix, entries.Count, entries.Count > max, keys);
    }

    public static DashboardChangeJson Change(ClusterChange change) =>
        new(
            change.Kind.ToString(),
            MemberKey(change.Node),
            change.Node.NodeId,
            change.Node.GenerationId,
            change.Version,
            change.Key,
            change.Value,
            change.DroppedCount);

    private static string Status(VersionedValue value) =>
        value.IsDeleted ? "deleted" : value.IsScheduledForDeletion ? "deleteAfterTtl" : "set";
}
