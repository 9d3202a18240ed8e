using System.Buffers;
using System.Net;
using Chitchat.Server;

namespace Chitchat.Testing.Simulation;

/// <summary>
/// One node of a <see cref="ClusterSimulation"/>: the real chitchat state machine, gossiping in virtual time over the
/// simulated network. Read and write its state through <see cref="Chitchat"/>, as an application would.
/// </summary>
/// <remarks>Not thread-safe: use it from the thread that runs the simulation.</remarks>
public sealed partial class SimulatedNode
{
    private readonly ClusterSimulation _simulation;
    private readonly Action<ChitchatConfig>? _configure;
    private ChitchatInstance _instance;
    private ChitchatRef _chitchat;
    private GossipEngine _engine;

    internal SimulatedNode(ClusterSimulation simulation, int index, string nodeId, IPEndPoint address, ulong generation, Action<ChitchatConfig>? configure)
    {
        _simulation = simulation;
        _configure = configure;
        Index = index;
        NodeId = nodeId;
        Address = address;
        Clock = new NodeClock(simulation.Clock);
        NetworkRandom = simulation.CreateRandom(index, ulong.MaxValue);
        (_instance, _chitchat, _engine) = Create(generation);
    }

    /// <summary>Gets the node's position in <see cref="ClusterSimulation.Nodes"/>.</summary>
    public int Index { get; }

    /// <summary>Gets the node id (kept across restarts).</summary>
    public string NodeId { get; }

    /// <summary>Gets the node's gossip address (kept across restarts).</summary>
    public IPEndPoint Address { get; }

    /// <summary>Gets the node's identity; a restart gives it a new generation.</summary>
    public ChitchatId Id => _instance.SelfChitchatId;

    /// <summary>Gets what the node is doing.</summary>
    public SimulatedNodeStatus Status { get; private set; } = SimulatedNodeStatus.Running;

    /// <summary>Gets whether the node gossips and answers.</summary>
    public bool IsRunning => Status == SimulatedNodeStatus.Running;

    /// <summary>Gets the node's state, as an application holds it (snapshots, own key-values, changes).</summary>
    /// <remarks>A restart replaces it: read it again after <see cref="Restart"/>.</remarks>
    public ChitchatRef Chitchat => _chitchat;

    /// <summary>
    /// Gets the virtual time of the current incarnation's first gossip round (null before it): nodes added together start
    /// within one gossip interval of each other.
    /// </summary>
    public TimeSpan? FirstRoundAt { get; private set; }

    /// <summary>Gets the datagrams this node sent (every incarnation).</summary>
    public long SentDatagrams { get; private set; }

    /// <summary>Gets the bytes this node sent (every incarnation).</summary>
    public long SentBytes { get; private set; }

    /// <summary>Gets the datagrams this node received and processed.</summary>
    public long ReceivedDatagrams { get; private set; }

    /// <summary>Gets the bytes this node received and processed.</summary>
    public long ReceivedBytes { get; private set; }

    /// <summary>Gets the datagrams this node received but could not decode.</summary>
    public long UndecodableDatagrams { get; private set; }

    /// <summary>Gets the number of the node's current incarnation: pending rounds of an earlier one are ignored.</summary>
    internal int Incarnation { get; private set; }

    internal ChitchatInstance Instance => _instance;

    /// <summary>Gets the node's clock (kept across restarts).</summary>
    internal NodeClock Clock { get; }

    /// <summary>Gets the random source of the network's draws for the datagrams this node sends.</summary>
    internal Random NetworkRandom { get; }

    /// <summary>Gets the network counters of this node.</summary>
    internal NodeTraffic Traffic { get; } = new();

    /// <summary>Gets the events of the current window that happen on this node, in order.</summary>
    internal List<(SimulationEvent Event, EventOrder Order)> PendingEvents { get; } = [];

    /// <summary>Gets the events this node scheduled while it handled events, merged into the queue after the window.</summary>
    internal List<(SimulationEvent Event, EventOrder Order)> Outbox { get; } = [];

    /// <summary>Gets the false deaths this node's failure detector declared in the current window.</summary>
    internal List<FalseDeath> PendingFalseDeaths { get; } = [];

    /// <summary>Gets the sum of the hashes of the datagrams delivered to this node (order-independent).</summary>
    internal ulong TraceSum { get; private set; }

    /// <summary>Gets the gossip rounds this node ran.</summary>
    internal long GossipRounds { get; private set; }

    private long _nextSequence;

    /// <summary>Stops the node abruptly: no more rounds, datagrams to it are lost, its state is gone.</summary>
    /// <exception cref="InvalidOperationException">The node has already crashed.</exception>
    public void Crash()
    {
        if (Status == SimulatedNodeStatus.Crashed)
        {
            throw new InvalidOperationException($"Node {NodeId} has already crashed.");
        }

        Status = SimulatedNodeStatus.Crashed;
        Incarnation++;
        _simulation.OnStatusChanged(this);
    }

    /// <summary>Freezes the node (a stopped process): no rounds, datagrams to it are lost, its state is kept.</summary>
    /// <exception cref="InvalidOperationException">The node is not running.</exception>
    public void Pause()
    {
        if (Status != SimulatedNodeStatus.Running)
        {
            throw new InvalidOperationException($"Node {NodeId} is not running ({Status}).");
        }

        Status = SimulatedNodeStatus.Paused;
        _simulation.OnStatusChanged(this);
    }

    /// <summary>Unfreezes a paused node: it gossips again on its own schedule, with its old state.</summary>
    /// <exception cref="InvalidOperationException">The node is not paused.</exception>
    public void Resume()
    {
        if (Status != SimulatedNodeStatus.Paused)
        {
            throw new InvalidOperationException($"Node {NodeId} is not paused ({Status}).");
        }

        Status = SimulatedNodeStatus.Running;
        _simulation.OnStatusChanged(this);
    }

    /// <summary>
    /// Starts the node again with a new generation and an empty state, on the same address, as a restarted process
    /// does. A running or paused node is crashed first.
    /// </summary>
    public void Restart()
    {
        if (Status != SimulatedNodeStatus.Crashed)
        {
            Crash();
        }

        var generation = _instance.SelfChitchatId.GenerationId + 1;
        _simulation.OnRetired(this);
        (_instance, _chitchat, _engine) = Create(generation);
        FirstRoundAt = null;
        Status = SimulatedNodeStatus.Running;
        Incarnation++;
        _simulation.OnStarted(this);
    }

    /// <inheritdoc/>
    public override string ToString() => $"{Id} ({Status})";

    private (ChitchatInstance, ChitchatRef, GossipEngine) Create(ulong generation)
    {
        var options = _simulation.Options;
        var config = new ChitchatConfig
        {
            NodeId = NodeId,
            GenerationId = generation,
            ListenAddress = Address.ToString(),
            ClusterId = options.ClusterId,
            GossipInterval = options.GossipInterval,
            ProtocolVersion = options.ProtocolVersion,
            SeedNodes = [.. _simulation.SeedAddresses.Select(static seed => seed.ToString())],
        };
        config.FailureDetectorConfig.InitialInterval = options.GossipInterval;
        options.ConfigureNode?.Invoke(config);
        _configure?.Invoke(config);

        var random = _simulation.CreateRandom(Index, generation);
        var loggerFactory = options.LoggerFactory;
        var instance = new ChitchatInstance(config, Clock, random, loggerFactory, new ChitchatId(NodeId, generation, Address));
        instance.SetSeedAddrs(new HashSet<IPEndPoint>(_simulation.SeedAddresses));
        var logger = loggerFactory?.CreateLogger(typeof(ChitchatServer).FullName!) ?? Microsoft.Extensions.Logging.Abstractions.NullLogger.Instance;
        var chitchat = new ChitchatRef(instance);
        return (instance, chitchat, new GossipEngine(chitchat, Clock, random, logger));
    }

    /// <summary>Schedules a delivery from this node (while it handles an event).</summary>
    internal void ScheduleDelivery(int to, byte[] buffer, int length, long delay) =>
        Outbox.Add((SimulationEvent.Delivery(Index, to, buffer, length), new EventOrder(Clock.GetTimestamp() + delay, Index, _nextSequence++)));

    /// <summary>Handles the events of the current window that happen on this node, in order.</summary>
    internal void RunPendingEvents()
    {
        var interval = _simulation.Options.GossipInterval.Ticks;
        foreach (var (next, order) in PendingEvents)
        {
            Clock.Enter(order.Time);
            try
            {
                if (next.Kind == SimulationEventKind.GossipRound)
                {
                    if (next.Incarnation != Incarnation)
                    {
                        // A round of an incarnation that crashed: the new incarnation has its own.
                        continue;
                    }

                    Outbox.Add((next, new EventOrder(order.Time + interval, Index, _nextSequence++)));
                    if (IsRunning)
                    {
                        FirstRoundAt ??= TimeSpan.FromTicks(order.Time);
                        GossipRounds++;
                        RunGossipRound();
                    }
                }
                else
                {
                    Deliver(next, order.Time);
                }
            }
            finally
            {
                Clock.Exit();
            }
        }

        PendingEvents.Clear();
    }

    private void Deliver(in SimulationEvent delivery, long time)
    {
        var buffer = delivery.Buffer!;
        try
        {
            if (!IsRunning)
            {
                Traffic.Undeliverable++;
                return;
            }

            var datagram = buffer.AsSpan(0, delivery.Length);
            Traffic.Delivered++;
            Traffic.DeliveredBytes += datagram.Length;
            var hash = new TraceHash();
            hash.Add(time, delivery.From, Index, datagram);
            TraceSum += hash.Value;
            Receive(_simulation.Nodes[delivery.From].Address, datagram);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    private void CountSent(int bytes)
    {
        SentDatagrams++;
        SentBytes += bytes;
    }

    private void CountReceived(int bytes, bool decoded)
    {
        if (decoded)
        {
            ReceivedDatagrams++;
            ReceivedBytes += bytes;
        }
        else
        {
            UndecodableDatagrams++;
        }
    }
}
