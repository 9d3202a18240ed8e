using System.Diagnostics;

namespace Chitchat.Diagnostics;

/// <summary>
/// The names under which a node publishes its telemetry: the meter and the activity source are both called
/// <c>Chitchat</c> (export them with OpenTelemetry's <c>AddMeter("Chitchat")</c> and <c>AddSource("Chitchat")</c>),
/// and the tags their measurements and activities carry. docs/METRICS.md lists every instrument.
/// </summary>
/// <remarks>
/// The activity source is shared by every node of the process, as the runtime's own sources are; it holds no
/// state of ours (listeners are registered with it by the tracing library). Meters are per node.
/// </remarks>
internal static class ChitchatDiagnostics
{
    /// <summary>The name of the meter and of the activity source.</summary>
    public const string Name = "Chitchat";

    /// <summary>The tag naming the node that measured (its node id): several nodes of one process stay apart.</summary>
    public const string NodeTag = "chitchat.node.id";

    /// <summary>The tag of a message's type: <c>syn</c>, <c>syn_ack</c>, <c>ack</c> or <c>bad_cluster</c>.</summary>
    public const string MessageTypeTag = "chitchat.message.type";

    /// <summary>The tag of a message's protocol version: 0 or 1.</summary>
    public const string ProtocolVersionTag = "chitchat.protocol.version";

    /// <summary>The tag of a drop's reason (<see cref="DatagramDropReason"/>).</summary>
    public const string DropReasonTag = "chitchat.drop.reason";

    /// <summary>The tag of a member gauge's state: <c>live</c>, <c>dead</c> or <c>scheduled_for_deletion</c>.</summary>
    public const string MemberStateTag = "chitchat.member.state";

    /// <summary>The version of the meter and of the activity source: the assembly's.</summary>
    public static readonly string? Version = typeof(ChitchatDiagnostics).Assembly.GetName().Version?.ToString();

    /// <summary>The source of the join, reset, catch-up and leave activities (never one per datagram).</summary>
    public static readonly ActivitySource ActivitySource = new(Name, Version);

    /// <summary>Starts an activity without making it the ambient one (for activities that outlive the calling code).</summary>
    public static Activity? StartDetachedActivity(string name, string nodeId)
    {
        if (!ActivitySource.HasListeners())
        {
            return null;
        }

        var previous = Activity.Current;
        var activity = ActivitySource.StartActivity(name, ActivityKind.Internal);
        activity?.SetTag(NodeTag, nodeId);

        // StartActivity made it the current activity of this flow: code started from here (the gossip loop) must not
        // run inside it for the node's whole life.
        Activity.Current = previous;
        return activity;
    }
}
