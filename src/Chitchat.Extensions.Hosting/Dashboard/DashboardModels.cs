namespace Chitchat.Extensions.Hosting.Dashboard;

// The JSON documents of the dashboard's API (camelCase, see DashboardJsonContext).

/// <summary>The node's view of the cluster, as the dashboard shows it.</summary>
internal sealed record DashboardStateJson(
    string ClusterId,
    string Self,
    double PhiThreshold,
    bool AllowWrites,
    DashboardTotalsJson Totals,
    IReadOnlyList<DashboardMemberJson> Members);

/// <summary>Cluster totals.</summary>
internal sealed record DashboardTotalsJson(int Members, int Live, int Joining, int Suspected, int Dead, int Left, int ScheduledForDeletion, long Keys);

/// <summary>
/// One member: identity, the failure detector's verdict and its figures, and its key-value state. Its key is
/// <c>node id@generation</c> (the key browser's member); its state is live, joining, suspected, dead, left (it
/// announced its departure) or scheduled for deletion.
/// </summary>
internal sealed record DashboardMemberJson(
    string Key,
    string NodeId,
    ulong Generation,
    string Address,
    bool IsSelf,
    string State,
    double? Phi,
    double? SinceLastHeartbeatMs,
    ulong Heartbeat,
    int KeyCount,
    ulong MaxVersion);

/// <summary>The keys of one member under a prefix.</summary>
internal sealed record DashboardKeysJson(string Member, string Prefix, int Total, bool Truncated, IReadOnlyList<DashboardKeyJson> Keys);

/// <summary>One key-value entry; its status is set, deleted or deleteAfterTtl.</summary>
internal sealed record DashboardKeyJson(string Key, string Value, ulong Version, string Status);

/// <summary>One change of the change stream.</summary>
internal sealed record DashboardChangeJson(string Kind, string Member, string NodeId, ulong Generation, ulong Version, string? Key, string? Value, long DroppedCount);

/// <summary>A request to set one of the node's own keys.</summary>
internal sealed record DashboardSetKeyJson(string? Key, string? Value);

/// <summary>An error answer.</summary>
internal sealed record DashboardErrorJson(string Error);
