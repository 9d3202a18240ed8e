using System.Buffers;
using System.Net;
using Chitchat.Wire;

namespace Chitchat.Testing.Simulation;

/// <summary>
/// A deterministic simulation of a chitchat cluster in virtual time: every node is the real state machine, every
/// message is encoded to bytes and decoded by its receiver, and one thread runs every gossip round and delivery in
/// the order of a priority queue. The same seed gives the same run, datagram for datagram (<see cref="TraceHash"/>).
/// </summary>
/// <remarks>
/// <para>
/// Nodes gossip every <see cref="ClusterSimulationOptions.GossipInterval"/> of virtual time; processing takes none.
/// The <see cref="SimulatedNetwork"/> adds loss, delay, jitter, duplication, reordering, an MTU and partitions. Time
/// moves only inside <see cref="RunFor"/> and <see cref="RunUntil"/>, so a minute of a thousand-node cluster runs
/// in as long as its CPU work takes, and a test never sleeps.
/// </para>
/// <para>Not thread-safe: create, run and inspect a simulation from one thread.</para>
/// </remarks>
public sealed partial class ClusterSimulation
{
    private readonly PriorityQueue<SimulationEvent, EventOrder> _events = new(EventOrderComparer.Instance);
    private readonly List<SimulatedNode> _nodes = [];
    private readonly Dictionary<IPEndPoint, int> _indexByAddress = [];
    private readonly Dictionary<ChitchatId, SimulatedNode> _byId = [];
    private readonly List<IPEndPoint> _seedList = [];
    private readonly HashSet<IPEndPoint> _seedAddresses = [];
    private readonly List<FalseDeath> _falseDeaths = [];
    private readonly Random _random;
    private TraceHash _trace = new();
    private long _sequence;
    private int _runningCount;

    /// <summary>The most false deaths <see cref="FalseDeaths"/> lists; <see cref="FalseDeathCount"/> counts them all.</summary>
    public const int MaxListedFalseDeaths = 10_000;

    /// <summary>Creates an empty simulation at virtual time zero.</summary>
    /// <param name="options">The settings (default: seed 0, 1 s gossip interval, protocol V0, one seed node).</param>
    public ClusterSimulation(ClusterSimulationOptions? options = null)
    {
        Options = options ?? new ClusterSimulationOptions();
        Options.Validate();
        Clock = new VirtualClock(this);
        _random = new Random(Options.Seed);
        Network = new SimulatedNetwork(this, DeriveSeed(Options.Seed, -1, 0));
    }

    /// <summary>Gets the settings.</summary>
    public ClusterSimulationOptions Options { get; }

    /// <summary>Gets the virtual clock, every node's <see cref="System.TimeProvider"/>; its timers fire in virtual time.</summary>
    public TimeProvider TimeProvider => Clock;

    /// <summary>Gets the virtual time elapsed since the simulation was created.</summary>
    public TimeSpan Elapsed => TimeSpan.FromTicks(Clock.Now);

    /// <summary>Gets the simulated network.</summary>
    public SimulatedNetwork Network { get; }

    /// <summary>Gets every node ever added, in order (crashed ones included).</summary>
    public IReadOnlyList<SimulatedNode> Nodes => _nodes;

    /// <summary>Gets the nodes currently running (neither paused nor crashed).</summary>
    public IEnumerable<SimulatedNode> RunningNodes => _nodes.Where(static node => node.IsRunning);

    /// <summary>
    /// Gets a hash of every datagram delivered so far (virtual time, sender, receiver and bytes): equal for two runs
    /// with the same seed and the same steps, and, in practice, different otherwise.
    /// </summary>
    public ulong TraceHash => _trace.Value;

    /// <summary>Gets how many events (gossip rounds, deliveries, timers) have run.</summary>
    public long ProcessedEvents { get; private set; }

    /// <summary>Gets how many gossip rounds have run, over all nodes.</summary>
    public long GossipRounds { get; private set; }

    /// <summary>Gets the false deaths so far, the first <see cref="MaxListedFalseDeaths"/> of them.</summary>
    /// <remarks>
    /// A false death is a live node that another node's failure detector declares dead while the subject runs, is not
    /// paused, and no block separates the two. Deaths across a partition are expected and not counted.
    /// </remarks>
    public IReadOnlyList<FalseDeath> FalseDeaths => _falseDeaths;

    /// <summary>Gets how many false deaths happened so far.</summary>
    public long FalseDeathCount { get; private set; }

    internal VirtualClock Clock { get; }

    internal IReadOnlySet<IPEndPoint> SeedAddresses => _seedAddresses;

    /// <summary>Adds a running node; the first <see cref="ClusterSimulationOptions.SeedCount"/> nodes are the seeds.</summary>
    /// <param name="configure">Adjusts this node's configuration, after <see cref="ClusterSimulationOptions.ConfigureNode"/>.</param>
    /// <returns>The node, named <c>node-{index}</c>, at address <c>10.x.y.z:7280</c> derived from its index.</returns>
    public SimulatedNode AddNode(Action<ChitchatConfig>? configure = null)
    {
        var index = _nodes.Count;
        if (index >= 1 << 24)
        {
            throw new InvalidOperationException("A simulation holds at most 16,777,216 nodes.");
        }

        var address = new IPEndPoint(new IPAddress([10, (byte)(index >> 16), (byte)(index >> 8), (byte)index]), 7280);
        if (index < Options.SeedCount)
        {
            _seedList.Add(address);
            _seedAddresses.Add(address);
            foreach (var existing in _nodes)
            {
                existing.Instance.SetSeedAddrs(new HashSet<IPEndPoint>(_seedList));
            }
        }

        var node = new SimulatedNode(this, index, $"node-{index}", address, 1, configure);
        _nodes.Add(node);
        _indexByAddress.Add(address, index);
        OnStarted(node);
        return node;
    }

    /// <summary>Adds <paramref name="count"/> running nodes.</summary>
    /// <param name="count">How many.</param>
    /// <returns>The nodes added.</returns>
    public IReadOnlyList<SimulatedNode> AddNodes(int count)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        var added = new SimulatedNode[count];
        for (var i = 0; i < count; i++)
        {
            added[i] = AddNode();
        }

        return added;
    }

    /// <summary>Runs every event due within <paramref name="duration"/> of virtual time, then moves the clock to its end.</summary>
    /// <param name="duration">How long, in virtual time.</param>
    public void RunFor(TimeSpan duration)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(duration, TimeSpan.Zero);
        var end = Clock.Now + duration.Ticks;
        while (_events.TryPeek(out _, out var order) && order.Time <= end)
        {
            var next = _events.Dequeue();
            Clock.Now = order.Time;
            Execute(next);
        }

        Clock.Now = end;
    }

    /// <summary>
    /// Runs until <paramref name="condition"/> holds, checking it now and then every <paramref name="checkEvery"/> of
    /// virtual time, for at most <paramref name="timeout"/>.
    /// </summary>
    /// <param name="condition">What to wait for.</param>
    /// <param name="timeout">The most virtual time to run.</param>
    /// <param name="checkEvery">How often to check (default: a tenth of the gossip interval).</param>
    /// <returns>Whether the condition held before the timeout.</returns>
    public bool RunUntil(Func<bool> condition, TimeSpan timeout, TimeSpan? checkEvery = null)
    {
        ArgumentNullException.ThrowIfNull(condition);
        var step = checkEvery ?? Options.GossipInterval / 10;
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(step, TimeSpan.Zero, nameof(checkEvery));
        var deadline = Clock.Now + Math.Max(0, timeout.Ticks);
        while (true)
        {
            if (condition())
            {
                return true;
            }

            if (Clock.Now >= deadline)
            {
                return false;
            }

            RunFor(TimeSpan.FromTicks(Math.Min(step.Ticks, deadline - Clock.Now)));
        }
    }

    /// <summary>Returns the node whose current identity is <paramref name="id"/>, if any.</summary>
    /// <param name="id">The identity (node id, generation and address).</param>
    /// <returns>The node, or <see langword="null"/> (unknown, or an older generation).</returns>
    public SimulatedNode? FindNode(ChitchatId id)
    {
        ArgumentNullException.ThrowIfNull(id);
        return _byId.GetValueOrDefault(id);
    }

    internal Random CreateRandom(int index, ulong generation) => new(DeriveSeed(Options.Seed, index, generation));

    /// <summary>Encodes a message and hands it to the network; returns its length on the wire.</summary>
    internal int Send(SimulatedNode from, IPEndPoint to, ChitchatMessage message)
    {
        var length = message.SerializedLength;
        var buffer = ArrayPool<byte>.Shared.Rent(length);
        var written = message.Serialize(buffer);
        Network.Transmit(from.Index, _indexByAddress.TryGetValue(to, out var index) ? index : -1, buffer, written);
        return written;
    }

    internal void ScheduleDelivery(int from, int to, byte[] buffer, int length, long delay) =>
        _events.Enqueue(SimulationEvent.Delivery(from, to, buffer, length), new EventOrder(Clock.Now + delay, _sequence++));

    internal void ScheduleTimer(VirtualTimer timer, long dueTicks) =>
        _events.Enqueue(SimulationEvent.Fire(timer), new EventOrder(Clock.Now + dueTicks, _sequence++));

    internal void OnStarted(SimulatedNode node)
    {
        _byId[node.Id] = node;
        _runningCount++;
        var offset = Options.StaggerStart ? (long)(_random.NextDouble() * Options.GossipInterval.Ticks) : 0;
        node.Instance.FailureDetector.LiveNodeDied = subject => OnLiveNodeDied(node, subject);
        _events.Enqueue(SimulationEvent.Round(node.Index, node.Incarnation), new EventOrder(Clock.Now + offset, _sequence++));
    }

    internal void OnRetired(SimulatedNode node) => _byId.Remove(node.Id);

    internal void OnStatusChanged(SimulatedNode node)
    {
        _runningCount = 0;
        foreach (var each in _nodes)
        {
            if (each.IsRunning)
            {
                _runningCount++;
            }
        }
    }

    private void Execute(in SimulationEvent next)
    {
        ProcessedEvents++;
        switch (next.Kind)
        {
            case SimulationEventKind.GossipRound:
                var node = _nodes[next.Node];
                if (next.Incarnation != node.Incarnation)
                {
                    // A round of an incarnation that crashed: the new incarnation has its own.
                    return;
                }

                _events.Enqueue(next, new EventOrder(Clock.Now + Options.GossipInterval.Ticks, _sequence++));
                if (node.IsRunning)
                {
                    GossipRounds++;
                    node.RunGossipRound();
                }

                return;

            case SimulationEventKind.Delivery:
                Deliver(next.From, next.Node, next.Buffer!, next.Length);
                return;

            case SimulationEventKind.Timer:
                if (next.Timer!.Arming == next.Incarnation)
                {
                    next.Timer.Fire();
                }

                return;
        }
    }

    private void Deliver(int from, int to, byte[] buffer, int length)
    {
        try
        {
            var receiver = _nodes[to];
            if (!receiver.IsRunning)
            {
                Network.OnDelivered(length, received: false);
                return;
            }

            Network.OnDelivered(length, received: true);
            _trace.Add(Clock.Now, from, to, buffer.AsSpan(0, length));
            receiver.Receive(_nodes[from].Address, buffer.AsSpan(0, length));
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    private void OnLiveNodeDied(SimulatedNode observer, ChitchatId subjectId)
    {
        if (!_byId.TryGetValue(subjectId, out var subject) || !subject.IsRunning || Network.IsCut(observer.Index, subject.Index))
        {
            return;
        }

        FalseDeathCount++;
        if (_falseDeaths.Count < MaxListedFalseDeaths)
        {
            _falseDeaths.Add(new FalseDeath(observer.Id, subjectId, Elapsed));
        }
    }

    private static int DeriveSeed(int seed, int index, ulong generation)
    {
        // SplitMix64 of the three, so that neighbouring nodes get unrelated streams.
        var z = ((ulong)(uint)seed << 32) ^ (ulong)(uint)index ^ (generation * 0x9E3779B97F4A7C15);
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EB;
        z ^= z >> 31;
        return (int)(z & 0x7FFF_FFFF);
    }
}
