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
    private readonly List<(SimulationEvent Event, EventOrder Order)> _batch = [];
    private readonly List<SimulatedNode> _touched = [];
    private readonly Random _random;
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
        Network = new SimulatedNetwork(this);
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
    public ulong TraceHash
    {
        get
        {
            ulong sum = 0;
            foreach (var node in _nodes)
            {
                sum = unchecked(sum + node.TraceSum);
            }

            return sum;
        }
    }

    /// <summary>Gets how many events (gossip rounds, deliveries, timers) have run.</summary>
    public long ProcessedEvents { get; private set; }

    /// <summary>Gets how many gossip rounds have run, over all nodes.</summary>
    public long GossipRounds => _nodes.Sum(static node => node.GossipRounds);

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
    /// <remarks>
    /// Events run in windows as long as the shortest link delay: no datagram sent within a window arrives within it,
    /// so the nodes' events of one window are independent, and run in parallel when
    /// <see cref="ClusterSimulationOptions.MaxDegreeOfParallelism"/> allows. Each node runs its own events in order,
    /// on one thread at a time; the run is the same whatever the parallelism.
    /// </remarks>
    public void RunFor(TimeSpan duration)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(duration, TimeSpan.Zero);
        var end = Clock.Now + duration.Ticks;
        while (_events.TryPeek(out _, out var first) && first.Time <= end)
        {
            // One window: every event before first + lookahead (an instant when some link has no delay).
            // The window is no longer than a gossip interval either, so that a node's next round stays outside it.
            var lookahead = Math.Max(1, Math.Min(Network.MinimumDelay, Options.GossipInterval.Ticks));
            var windowEnd = Math.Min(end + 1, first.Time + lookahead);
            var hasTimer = false;
            _batch.Clear();
            while (_events.TryPeek(out _, out var order) && order.Time < windowEnd)
            {
                var next = _events.Dequeue();
                hasTimer |= next.Kind == SimulationEventKind.Timer;
                _batch.Add((next, order));
            }

            ProcessedEvents += _batch.Count;
            if (hasTimer)
            {
                RunBatchInOrder();
            }
            else
            {
                RunBatchByNode();
            }

            Clock.Now = _batch[^1].Order.Time;
            MergeOutboxes();
        }

        Clock.Now = end;
    }

    /// <summary>Runs a window that holds a timer: one event at a time, in order (timer callbacks may touch anything).</summary>
    private void RunBatchInOrder()
    {
        foreach (var (next, order) in _batch)
        {
            Clock.Now = order.Time;
            if (next.Kind == SimulationEventKind.Timer)
            {
                if (next.Timer!.Arming == next.Incarnation)
                {
                    next.Timer.Fire();
                }

                continue;
            }

            var node = _nodes[next.Node];
            node.PendingEvents.Add((next, order));
            node.RunPendingEvents();
            if (node.Outbox.Count > 0 || node.PendingFalseDeaths.Count > 0)
            {
                _touched.Add(node);
            }
        }
    }

    /// <summary>Runs a window node by node, nodes in parallel.</summary>
    private void RunBatchByNode()
    {
        foreach (var item in _batch)
        {
            var node = _nodes[item.Event.Node];
            if (node.PendingEvents.Count == 0)
            {
                _touched.Add(node);
            }

            node.PendingEvents.Add(item);
        }

        var parallelism = Options.MaxDegreeOfParallelism;
        if (parallelism > 1 && _touched.Count > 1)
        {
            Parallel.For(0, _touched.Count, new ParallelOptions { MaxDegreeOfParallelism = parallelism }, i => _touched[i].RunPendingEvents());
        }
        else
        {
            foreach (var node in _touched)
            {
                node.RunPendingEvents();
            }
        }
    }

    /// <summary>Moves the events and false deaths of the nodes that ran into the queue and the list.</summary>
    private void MergeOutboxes()
    {
        foreach (var node in _touched)
        {
            foreach (var (next, order) in node.Outbox)
            {
                _events.Enqueue(next, order);
            }

            node.Outbox.Clear();
            foreach (var death in node.PendingFalseDeaths)
            {
                FalseDeathCount++;
                if (_falseDeaths.Count < MaxListedFalseDeaths)
                {
                    _falseDeaths.Add(death);
                }
            }

            node.PendingFalseDeaths.Clear();
        }

        _touched.Clear();
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

    /// <summary>Encodes a message and hands it to the network (while <paramref name="from"/> handles an event); returns its length.</summary>
    internal int Send(SimulatedNode from, IPEndPoint to, ChitchatMessage message)
    {
        var length = message.SerializedLength;
        var buffer = ArrayPool<byte>.Shared.Rent(length);
        var written = message.Serialize(buffer);
        Network.Transmit(from, _indexByAddress.TryGetValue(to, out var index) ? index : -1, buffer, written);
        return written;
    }

    internal void ScheduleTimer(VirtualTimer timer, long dueTicks) =>
        _events.Enqueue(SimulationEvent.Fire(timer), new EventOrder(Clock.Now + dueTicks, -1, _sequence++));

    internal void OnStarted(SimulatedNode node)
    {
        _byId[node.Id] = node;
        _runningCount++;
        var offset = Options.StaggerStart ? (long)(_random.NextDouble() * Options.GossipInterval.Ticks) : 0;
        node.Instance.FailureDetector.LiveNodeDied = subject => OnLiveNodeDied(node, subject);
        _events.Enqueue(SimulationEvent.Round(node.Index, node.Incarnation), new EventOrder(Clock.Now + offset, -1, _sequence++));
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

    private void OnLiveNodeDied(SimulatedNode observer, ChitchatId subjectId)
    {
        if (!_byId.TryGetValue(subjectId, out var subject) || !subject.IsRunning || Network.IsCut(observer.Index, subject.Index))
        {
            return;
        }

        // Runs on the observer's thread: kept aside until the window ends.
        observer.PendingFalseDeaths.Add(new FalseDeath(observer.Id, subjectId, TimeSpan.FromTicks(observer.Clock.GetTimestamp())));
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
