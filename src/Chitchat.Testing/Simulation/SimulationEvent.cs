using System.Runtime.InteropServices;

namespace Chitchat.Testing.Simulation;

/// <summary>What a scheduled event does.</summary>
internal enum SimulationEventKind : byte
{
    /// <summary>A node's gossip round.</summary>
    GossipRound,

    /// <summary>A datagram reaches a node.</summary>
    Delivery,

    /// <summary>A virtual timer fires.</summary>
    Timer,
}

/// <summary>
/// One event of the simulation's queue: a value type, so that scheduling allocates nothing beyond the queue's
/// own array. A delivery owns its pooled buffer until it runs.
/// </summary>
[StructLayout(LayoutKind.Auto)]
internal readonly struct SimulationEvent
{
    private SimulationEvent(SimulationEventKind kind, int node, int from, int incarnation, byte[]? buffer, int length, VirtualTimer? timer)
    {
        Kind = kind;
        Node = node;
        From = from;
        Incarnation = incarnation;
        Buffer = buffer;
        Length = length;
        Timer = timer;
    }

    public SimulationEventKind Kind { get; }

    /// <summary>Gets the node the event happens on (the receiver of a delivery).</summary>
    public int Node { get; }

    /// <summary>Gets the sender of a delivery.</summary>
    public int From { get; }

    /// <summary>Gets the node's incarnation a gossip round belongs to, or the timer's arming.</summary>
    public int Incarnation { get; }

    public byte[]? Buffer { get; }

    public int Length { get; }

    public VirtualTimer? Timer { get; }

    public static SimulationEvent Round(int node, int incarnation) =>
        new(SimulationEventKind.GossipRound, node, 0, incarnation, null, 0, null);

    public static SimulationEvent Delivery(int from, int to, byte[] buffer, int length) =>
        new(SimulationEventKind.Delivery, to, from, 0, buffer, length, null);

    public static SimulationEvent Fire(VirtualTimer timer) =>
        new(SimulationEventKind.Timer, -1, 0, timer.Arming, null, 0, timer);
}

/// <summary>
/// The order of events: by virtual time, then by creator (the simulation itself, -1, then the nodes by index), then by
/// the creator's own numbering. Each part depends only on what the creator did, never on which thread ran it, so the
/// order is the same whether nodes run one at a time or in parallel.
/// </summary>
/// <param name="Time">The virtual time, in ticks.</param>
/// <param name="Creator">The node that scheduled the event, or -1 for the simulation.</param>
/// <param name="Sequence">The creator's scheduling number.</param>
internal readonly record struct EventOrder(long Time, int Creator, long Sequence);

/// <summary>Compares <see cref="EventOrder"/> values without boxing.</summary>
internal sealed class EventOrderComparer : IComparer<EventOrder>
{
    public static EventOrderComparer Instance { get; } = new();

    public int Compare(EventOrder x, EventOrder y)
    {
        var byTime = x.Time.CompareTo(y.Time);
        if (byTime != 0)
        {
            return byTime;
        }

        var byCreator = x.Creator.CompareTo(y.Creator);
        return byCreator != 0 ? byCreator : x.Sequence.CompareTo(y.Sequence);
    }
}
