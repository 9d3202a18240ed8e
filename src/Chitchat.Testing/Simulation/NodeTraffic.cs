namespace Chitchat.Testing.Simulation;

/// <summary>
/// The network counters of one node, written only while that node handles an event (so by one thread at a time) and
/// summed by <see cref="SimulatedNetwork"/>. Sender-side counters count what the node sent, receiver-side ones what
/// reached it.
/// </summary>
internal sealed class NodeTraffic
{
    public long Sent;
    public long SentBytes;
    public long Lost;
    public long Oversized;
    public long Blocked;
    public long Unroutable;
    public long Duplicated;
    public long Delivered;
    public long DeliveredBytes;
    public long Undeliverable;
}
