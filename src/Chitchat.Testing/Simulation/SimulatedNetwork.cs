using System.Buffers;

namespace Chitchat.Testing.Simulation;

/// <summary>
/// The network of a <see cref="ClusterSimulation"/>: per-link loss, delay, jitter, duplication and reordering, an MTU,
/// and directed blocks (asymmetric partitions) that can be healed. Every random draw comes from the simulation's seed.
/// </summary>
/// <remarks>
/// A link is one direction between two node addresses (a restarted node keeps its address, hence its links and
/// blocks). Datagrams longer than <see cref="Mtu"/> are dropped, as an IP network drops a UDP datagram it cannot
/// carry unfragmented. Datagrams to a paused or crashed node, or to an address no node has, are lost. Not
/// thread-safe: use it from the thread that runs the simulation.
/// </remarks>
public sealed class SimulatedNetwork
{
    /// <summary>The largest UDP payload over IPv4, the default <see cref="Mtu"/>.</summary>
    public const int MaxUdpPayload = 65_507;

    private readonly ClusterSimulation _simulation;
    private readonly Dictionary<long, LinkConditions> _links = [];
    private readonly HashSet<long> _blocked = [];
    private LinkConditions _defaultLink = LinkConditions.Default;
    private int _mtu = MaxUdpPayload;

    internal SimulatedNetwork(ClusterSimulation simulation)
    {
        _simulation = simulation;
    }

    /// <summary>Gets or sets the conditions of every link without conditions of its own.</summary>
    public LinkConditions DefaultLink
    {
        get => _defaultLink;
        set
        {
            ArgumentNullException.ThrowIfNull(value);
            value.Validate();
            _defaultLink = value;
            UpdateMinimumDelay();
        }
    }

    /// <summary>Gets or sets the largest datagram the network carries, in bytes (default: 65,507).</summary>
    public int Mtu
    {
        get => _mtu;
        set
        {
            ArgumentOutOfRangeException.ThrowIfLessThan(value, 1);
            _mtu = value;
        }
    }

    /// <summary>Gets the datagrams sent (handed to the network by the nodes).</summary>
    public long SentDatagrams => Sum(static traffic => traffic.Sent);

    /// <summary>Gets the bytes sent.</summary>
    public long SentBytes => Sum(static traffic => traffic.SentBytes);

    /// <summary>Gets the datagrams delivered to a running node (duplicates count twice).</summary>
    public long DeliveredDatagrams => Sum(static traffic => traffic.Delivered);

    /// <summary>Gets the bytes delivered to a running node.</summary>
    public long DeliveredBytes => Sum(static traffic => traffic.DeliveredBytes);

    /// <summary>Gets the datagrams lost to link loss.</summary>
    public long LostDatagrams => Sum(static traffic => traffic.Lost);

    /// <summary>Gets the datagrams dropped because they were longer than the <see cref="Mtu"/>.</summary>
    public long OversizedDatagrams => Sum(static traffic => traffic.Oversized);

    /// <summary>Gets the datagrams dropped by a block (a partition).</summary>
    public long BlockedDatagrams => Sum(static traffic => traffic.Blocked);

    /// <summary>Gets the datagrams that reached no running node (paused, crashed or unknown receiver).</summary>
    public long UndeliverableDatagrams => Sum(static traffic => traffic.Unroutable + traffic.Undeliverable);

    /// <summary>Gets the datagrams delivered twice.</summary>
    public long DuplicatedDatagrams => Sum(static traffic => traffic.Duplicated);

    /// <summary>Sets the conditions of the link from <paramref name="from"/> to <paramref name="to"/> (one direction).</summary>
    /// <param name="from">The sender.</param>
    /// <param name="to">The receiver.</param>
    /// <param name="conditions">The conditions; <see langword="null"/> returns the link to <see cref="DefaultLink"/>.</param>
    public void SetLink(SimulatedNode from, SimulatedNode to, LinkConditions? conditions)
    {
        ArgumentNullException.ThrowIfNull(from);
        ArgumentNullException.ThrowIfNull(to);
        if (conditions is null)
        {
            _links.Remove(Key(from.Index, to.Index));
            UpdateMinimumDelay();
            return;
        }

        conditions.Validate();
        _links[Key(from.Index, to.Index)] = conditions;
        UpdateMinimumDelay();
    }

    /// <summary>Returns every link to <see cref="DefaultLink"/>.</summary>
    public void ResetLinks()
    {
        _links.Clear();
        UpdateMinimumDelay();
    }

    /// <summary>
    /// Gets the shortest delay of any link, in ticks: no datagram sent at time t arrives before t plus this, so the
    /// nodes' events within such a window are independent of each other.
    /// </summary>
    internal long MinimumDelay { get; private set; } = LinkConditions.Default.Delay.Ticks;

    /// <summary>Drops every datagram from <paramref name="from"/> to <paramref name="to"/> (one direction) until healed.</summary>
    /// <param name="from">The sender.</param>
    /// <param name="to">The receiver.</param>
    public void Block(SimulatedNode from, SimulatedNode to)
    {
        ArgumentNullException.ThrowIfNull(from);
        ArgumentNullException.ThrowIfNull(to);
        _blocked.Add(Key(from.Index, to.Index));
    }

    /// <summary>Lets datagrams from <paramref name="from"/> to <paramref name="to"/> through again.</summary>
    /// <param name="from">The sender.</param>
    /// <param name="to">The receiver.</param>
    public void Unblock(SimulatedNode from, SimulatedNode to)
    {
        ArgumentNullException.ThrowIfNull(from);
        ArgumentNullException.ThrowIfNull(to);
        _blocked.Remove(Key(from.Index, to.Index));
    }

    /// <summary>Splits the nodes of <paramref name="side"/> from those of <paramref name="otherSide"/>, in both directions.</summary>
    /// <param name="side">One side.</param>
    /// <param name="otherSide">The other side.</param>
    public void Partition(IEnumerable<SimulatedNode> side, IEnumerable<SimulatedNode> otherSide)
    {
        ArgumentNullException.ThrowIfNull(side);
        ArgumentNullException.ThrowIfNull(otherSide);
        var others = otherSide.ToList();
        foreach (var a in side)
        {
            foreach (var b in others)
            {
                Block(a, b);
                Block(b, a);
            }
        }
    }

    /// <summary>Removes every block: the partitions heal.</summary>
    public void Heal() => _blocked.Clear();

    /// <summary>Returns whether datagrams from <paramref name="from"/> to <paramref name="to"/> are blocked.</summary>
    /// <param name="from">The sender.</param>
    /// <param name="to">The receiver.</param>
    /// <returns>Whether they are blocked.</returns>
    public bool IsBlocked(SimulatedNode from, SimulatedNode to)
    {
        ArgumentNullException.ThrowIfNull(from);
        ArgumentNullException.ThrowIfNull(to);
        return IsBlocked(from.Index, to.Index);
    }

    /// <summary>Gets whether a block separates the two nodes in either direction.</summary>
    internal bool IsCut(int a, int b) => _blocked.Count != 0 && (IsBlocked(a, b) || IsBlocked(b, a));

    internal bool IsBlocked(int from, int to) => _blocked.Count != 0 && _blocked.Contains(Key(from, to));

    /// <summary>
    /// Carries one datagram sent by <paramref name="sender"/> (while it handles an event): takes ownership of
    /// <paramref name="buffer"/> (rented from the shared pool) and schedules its deliveries, or returns it to the pool
    /// if the datagram is lost. Every draw comes from the sender's own random source.
    /// </summary>
    internal void Transmit(SimulatedNode sender, int to, byte[] buffer, int length)
    {
        var traffic = sender.Traffic;
        var from = sender.Index;
        traffic.Sent++;
        traffic.SentBytes += length;
        if (length > _mtu)
        {
            traffic.Oversized++;
            ArrayPool<byte>.Shared.Return(buffer);
            return;
        }

        if (to < 0)
        {
            traffic.Unroutable++;
            ArrayPool<byte>.Shared.Return(buffer);
            return;
        }

        if (IsBlocked(from, to))
        {
            traffic.Blocked++;
            ArrayPool<byte>.Shared.Return(buffer);
            return;
        }

        var random = sender.NetworkRandom;
        var link = _links.Count != 0 && _links.TryGetValue(Key(from, to), out var own) ? own : _defaultLink;
        if (link.Loss > 0 && random.NextDouble() < link.Loss)
        {
            traffic.Lost++;
            ArrayPool<byte>.Shared.Return(buffer);
            return;
        }

        if (link.Duplication > 0 && random.NextDouble() < link.Duplication)
        {
            traffic.Duplicated++;
            var copy = ArrayPool<byte>.Shared.Rent(length);
            buffer.AsSpan(0, length).CopyTo(copy);
            sender.ScheduleDelivery(to, copy, length, DrawDelay(link, random));
        }

        sender.ScheduleDelivery(to, buffer, length, DrawDelay(link, random));
    }

    private static long DrawDelay(LinkConditions link, Random random)
    {
        var delay = link.Delay.Ticks;
        if (link.Jitter > TimeSpan.Zero)
        {
            delay += (long)(random.NextDouble() * link.Jitter.Ticks);
        }

        if (link.Reordering > 0 && random.NextDouble() < link.Reordering)
        {
            delay += link.ReorderingDelay.Ticks;
        }

        return delay;
    }

    private long Sum(Func<NodeTraffic, long> counter)
    {
        long total = 0;
        foreach (var node in _simulation.Nodes)
        {
            total += counter(node.Traffic);
        }

        return total;
    }

    private void UpdateMinimumDelay()
    {
        var minimum = _defaultLink.Delay.Ticks;
        foreach (var link in _links.Values)
        {
            minimum = Math.Min(minimum, link.Delay.Ticks);
        }

        MinimumDelay = minimum;
    }

    private static long Key(int from, int to) => ((long)from << 32) | (uint)to;
}
