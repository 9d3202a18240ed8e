namespace Chitchat.Changes;

/// <summary>What a <see cref="ClusterChange"/> reports.</summary>
/// <remarks>
/// Key changes concern the key-value state of one member (the local node included); member changes concern
/// how the local node sees a remote member. A member goes through Joined → Live ⇄ Dead → Left → Forgotten;
/// it may be forgotten only after it was dead for the whole dead-node grace period.
/// </remarks>
[System.Text.Json.Serialization.JsonConverter(typeof(System.Text.Json.Serialization.JsonStringEnumConverter<ClusterChangeKind>))]
public enum ClusterChangeKind
{
    /// <summary>A key got a new visible value (also when its deletion was scheduled with a TTL).</summary>
    KeySet = 0,

    /// <summary>A visible key was deleted (a tombstone replaced it, or the replica was reset without it).</summary>
    KeyDeleted = 1,

    /// <summary>A key whose deletion was scheduled with a TTL reached the end of the grace period and disappeared.</summary>
    KeyExpired = 2,

    /// <summary>A member became known (its first heartbeat was seen in a digest, or its state was reset into place).</summary>
    MemberJoined = 3,

    /// <summary>The failure detector started considering a member live.</summary>
    MemberLive = 4,

    /// <summary>The failure detector started considering a member dead (also at its first assessment).</summary>
    MemberDead = 5,

    /// <summary>
    /// A member announced its departure (<see cref="ChitchatHandle.LeaveAsync"/>) and is no longer live, or a dead
    /// member was dead for more than half the dead-node grace period; either way the node forgets it at the end
    /// of the grace period, and a member that left gracefully is not reported dead in between.
    /// </summary>
    MemberLeft = 6,

    /// <summary>A dead member's state was removed after the dead-node grace period.</summary>
    MemberForgotten = 7,

    /// <summary>
    /// The reader fell behind and <see cref="ClusterChange.DroppedCount"/> changes were dropped at this point of
    /// the stream; take a new snapshot (<see cref="ChitchatRef.GetClusterState"/>) to resynchronise.
    /// </summary>
    Overflow = 8,
}
