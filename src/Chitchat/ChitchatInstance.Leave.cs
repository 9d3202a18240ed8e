using Microsoft.Extensions.Logging;

namespace Chitchat;

/// <summary>Graceful leave: the key a leaving node announces itself with, and how peers recognise it.</summary>
/// <remarks>
/// <para>
/// A node that leaves (<see cref="ChitchatHandle.LeaveAsync"/>) sets <see cref="LeavingKey"/> in its own state
/// and keeps gossiping for about two rounds before it stops. To the wire it is an ordinary key-value, so a peer
/// that does not know it (a Rust chitchat node) replicates it and later detects the departure with phi as usual.
/// </para>
/// <para>
/// A peer that knows it stops considering the member live at its next liveness evaluation: the failure detector
/// records it as dead (so it is neither gossiped with as live nor reported live), and the change stream reports
/// it as <see cref="Changes.ClusterChangeKind.MemberLeft"/>, never as dead, until it is forgotten after the
/// dead-node grace period.
/// </para>
/// </remarks>
internal sealed partial class ChitchatInstance
{
    /// <summary>The key a leaving node sets in its own state (reserved: applications should not set it).</summary>
    internal const string LeavingKey = "__chitchat_leaving";

    /// <summary>Whether <paramref name="state"/> announces that its node is leaving.</summary>
    private static bool HasAnnouncedLeave(State.NodeState state) => state.ContainsKey(LeavingKey);

    private static partial class Log
    {
        [LoggerMessage(EventId = 19, EventName = "MemberLeftGracefully", Level = LogLevel.Information, Message = "Member {NodeId} left: it announced its departure ({SuppressedCount} membership events not logged before this one)")]
        public static partial void MemberLeftGracefully(ILogger logger, ChitchatId nodeId, long suppressedCount);
    }
}
