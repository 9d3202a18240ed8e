namespace Chitchat.Cli.Demo;

/// <summary>One line of the demo's table: an incarnation of a node, as node 0 (the observer) sees it.</summary>
/// <param name="Node">The node id.</param>
/// <param name="Generation">The incarnation's generation.</param>
/// <param name="Address">The gossip address.</param>
/// <param name="Crashed">Whether this incarnation was crashed.</param>
/// <param name="SeenByObserver">Node 0's verdict: self, live, joining, dead, forgetting, forgotten or unknown.</param>
/// <param name="Heartbeat">The heartbeat node 0 knows (its own for itself).</param>
/// <param name="Phi">Node 0's phi for the node (none for itself, or before two heartbeats, or once dead).</param>
/// <param name="Keys">The number of visible keys node 0 holds for the node.</param>
/// <param name="LiveView">How many live nodes this incarnation itself sees (running nodes only).</param>
internal sealed record DemoRow(
    string Node,
    ulong Generation,
    string Address,
    bool Crashed,
    string SeenByObserver,
    ulong? Heartbeat,
    double? Phi,
    int? Keys,
    int? LiveView);
