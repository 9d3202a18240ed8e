using System.Collections.Immutable;
using System.Diagnostics.CodeAnalysis;
using System.Net;
using System.Text.Json.Serialization;
using Chitchat.Json;

namespace Chitchat.State;

/// <summary>
/// An immutable picture of the cluster as the local node saw it at one moment: every member's state (in id
/// order), the seeds, and which members were live, dead or scheduled for deletion.
/// </summary>
/// <remarks>
/// <para>
/// Taken with <see cref="ChitchatRef.GetClusterState"/>. It never changes and never reaches back into the
/// node: read it from any thread without a lock. Taking one is cheap: the node states of members that did
/// not change since the previous snapshot are the same <see cref="NodeStateSnapshot"/> objects.
/// </para>
/// <para>Thread-safe: immutable. Serializes with System.Text.Json (see <see cref="ChitchatJsonContext"/>).</para>
/// </remarks>
[JsonConverter(typeof(ClusterStateSnapshotJsonConverter))]
public sealed class ClusterStateSnapshot
{
    private readonly ImmutableArray<NodeStateSnapshot> _nodeStates;
    private readonly ImmutableArray<IPEndPoint> _seedEndPoints;
    private readonly ImmutableArray<ChitchatId> _liveNodes;
    private readonly ImmutableArray<ChitchatId> _deadNodes;
    private readonly ImmutableArray<ChitchatId> _scheduledForDeletionNodes;

    internal ClusterStateSnapshot(
        string clusterId,
        ChitchatId self,
        ImmutableArray<NodeStateSnapshot> nodeStates,
        ImmutableArray<IPEndPoint> seedEndPoints,
        ImmutableArray<ChitchatId> liveNodes,
        ImmutableArray<ChitchatId> deadNodes,
        ImmutableArray<ChitchatId> scheduledForDeletionNodes)
    {
        ClusterId = clusterId;
        Self = self;
        _nodeStates = nodeStates;
        _seedEndPoints = seedEndPoints;
        _liveNodes = liveNodes;
        _deadNodes = deadNodes;
        _scheduledForDeletionNodes = scheduledForDeletionNodes;
    }

    /// <summary>Gets the cluster id of the local node.</summary>
    public string ClusterId { get; }

    /// <summary>Gets the local node's id.</summary>
    public ChitchatId Self { get; }

    /// <summary>Gets every known member's state, the local node's included, in <see cref="ChitchatId"/> order.</summary>
    public IReadOnlyList<NodeStateSnapshot> NodeStates => _nodeStates;

    /// <summary>Gets the seed endpoints (copies; resolved from <see cref="ChitchatConfig.SeedNodes"/>).</summary>
    public IReadOnlyList<IPEndPoint> SeedEndPoints => _seedEndPoints;

    /// <summary>Gets the live members: the local node first, then the members the failure detector finds live, in id order.</summary>
    public IReadOnlyList<ChitchatId> LiveNodes => _liveNodes;

    /// <summary>Gets the members the failure detector finds dead (those scheduled for deletion included), in id order.</summary>
    public IReadOnlyList<ChitchatId> DeadNodes => _deadNodes;

    /// <summary>Gets the dead members no longer gossiped about, forgotten at the end of the dead-node grace period.</summary>
    public IReadOnlyList<ChitchatId> ScheduledForDeletionNodes => _scheduledForDeletionNodes;

    /// <summary>Gets the state of one member.</summary>
    /// <param name="id">The member.</param>
    /// <param name="state">Its state, or <see langword="null"/> if it is not known.</param>
    /// <returns>Whether the member is known.</returns>
    public bool TryGetNodeState(ChitchatId id, [NotNullWhen(true)] out NodeStateSnapshot? state)
    {
        ArgumentNullException.ThrowIfNull(id);
        int low = 0, high = _nodeStates.Length - 1;
        while (low <= high)
        {
            var middle = low + ((high - low) >> 1);
            var comparison = _nodeStates[middle].ChitchatId.CompareTo(id);
            if (comparison == 0)
            {
                state = _nodeStates[middle];
                return true;
            }

            if (comparison < 0)
            {
                low = middle + 1;
            }
            else
            {
                high = middle - 1;
            }
        }

        state = null;
        return false;
    }
}
