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
    private readonly Random _random;
    private readonly Dictionary<long, LinkConditions> _links = [];
    private readonly HashSet<long> _blocked = [];
    private LinkConditions _defaultLink = LinkConditions.Default;
    private int _mtu = MaxUdpPayload;

    internal SimulatedNetwork(ClusterSimulation simulation, int seed)
    {
        _simulation = simulation;
        _random = new Random(seed);
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
    public long SentDatagrams { get; private set; }

    /// <summary>Gets the bytes sent.</summary>
    public long SentBytes { get; private set; }

    /// <summary>Gets the datagrams delivered to a running node (duplicates count twice).</summary>
    public long DeliveredDatagrams { get; private set; }

    /// <summary>Gets the bytes delivered to a running node.</summary>
    public long DeliveredBytes { get; private set; }

    /// <summary>Gets the datagrams lost to link loss.</summary>
    public long LostDatagrams { get; private set; }

    /// <summary>Gets the datagrams dropped because they were longer than the <see cref="Mtu"/>.</summary>
    public long OversizedDatagrams { get; private set; }

    /// <summary>Gets the datagrams dropped by a block (a partition).</summary>
    public long BlockedDatagrams { get; private set; }

    /// <summary>Gets the datagrams that reached no running node (paused, crashed or unknown receiver).</summary>
    public long UndeliverableDatagrams { get; private set; }

    /// <summary>Gets the datagrams delivered twice.</summary>
    public long DuplicatedDatagrams { get; private set; }

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
            return;
        }

        conditions.Validate();
        _links[Key(from.Index, to.Index)] = conditions;
    }

    /// <summary>Returns every link to <see cref="DefaultLink"/>.</summary>
    public void ResetLinks() => _links.Clear();

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
    /// Carries one datagram: takes ownership of <paramref name="buffer"/> (rented from the shared pool) and schedules
    /// its deliveries, or returns it to the pool if the datagram is lost.
    /// </summary>
    internal void Transmit(int from, int to, byte[] buffer, int length)
    {
        SentDatagrams++;
        SentBytes += length;
        if (length > _mtu)
        {
            OversizedDatagrams++;
            ArrayPool<byte>.Shared.Return(buffer);
            return;
        }

        if (to < 0)
        {
            UndeliverableDatagrams++;
            ArrayPool<byte>.Shared.Return(buffer);
            return;
        }

        if (IsBlocked(from, to))
        {
            BlockedDatagrams++;
            ArrayPool<byte>.Shared.Return(buffer);
            return;
        }

        var link = _links.Count != 0 && _links.TryGetValue(Key(from, to), out var own) ? own : _defaultLink;
        if (link.Loss > 0 && _random.NextDouble() < link.Loss)
        {
            LostDatagrams++;
            ArrayPool<byte>.Shared.Return(buffer);
            return;
        }

        if (link.Duplication > 0 && _random.NextDouble() < link.Duplication)
        {
            DuplicatedDatagrams++;
            var copy = ArrayPool<byte>.Shared.Rent(length);
            buffer.AsSpan(0, length).CopyTo(copy);
            _simulation.ScheduleDelivery(from, to, copy, length, DrawDelay(link));
        }

        _simulation.ScheduleDelivery(from, to, buffer, length, DrawDelay(link));
    }

    /// <summary>Counts a datagram that reached its receiver.</summary>
    internal void OnDelivered(int length, bool received)
    {
        if (received)
        {
            DeliveredDatagrams++;
            DeliveredBytes += length;
        }
        else
        {
            UndeliverableDatagrams++;
        }
    }

    private long DrawDelay(LinkConditions link)
    {
        var delay = link.Delay.Ticks;
        if (link.Jitter > TimeSpan.Zero)
        {
            delay += (long)(_random.NextDouble() * link.Jitter.Ticks);
        }

        if (link.Reordering > 0 && _random.NextDouble() < link.Reordering)
        {
            delay += link.ReorderingDelay.Ticks;
        }

        return delay;
    }

    private static long Key(int from, int to) => ((long)from << 32) | (uint)to;
}
