using System.Net;
using System.Threading.Channels;
using Chitchat.FailureDetection;
using Chitchat.State;
using Chitchat.Testing;

namespace Chitchat.IntegrationTests;

/// <summary>How an observer sees a node (chitchat cluster_test.rs <c>NodeStatusPredicate</c>).</summary>
internal enum NodeStatus
{
    /// <summary>In the observer's live nodes, with a node state.</summary>
    Live,

    /// <summary>In the observer's dead nodes, with a node state.</summary>
    Dead,

    /// <summary>No node state, neither live nor dead.</summary>
    Absent,
}

/// <summary>A condition on an observer's replica of a node (chitchat cluster_test.rs <c>NodeStatePredicate</c>).</summary>
internal abstract record NodeStatePredicate
{
    public abstract bool Check(NodeState state);

    /// <summary>The entry exists (tombstones included) and its value is <paramref name="Value"/>.</summary>
    public sealed record EqualKeyValue(string Key, string Value) : NodeStatePredicate
    {
        public override bool Check(NodeState state) => state.GetVersioned(Key) is { } entry && entry.Value == Value;
    }

    /// <summary>An entry, tombstone or not, exists iff <paramref name="Present"/>.</summary>
    public sealed record KeyPresent(string Key, bool Present) : NodeStatePredicate
    {
        public override bool Check(NodeState state) => (state.GetVersioned(Key) is not null) == Present;
    }

    /// <summary>The entry exists and is a tombstone iff <paramref name="Marked"/>.</summary>
    public sealed record KeyMarkedDeleted(string Key, bool Marked) : NodeStatePredicate
    {
        public override bool Check(NodeState state) => state.GetVersioned(Key) is { } entry && entry.IsDeleted == Marked;
    }
}

/// <summary>
/// Scripted N-node scenarios over one <see cref="InMemoryTransport"/> (MTU 65,507), each node a real server
/// loop. Port of chitchat tests/cluster_test.rs <c>Simulator</c>: the script is a sequence of calls.
/// </summary>
internal sealed class ClusterSimulator : IAsyncDisposable
{
    // In-memory "ports" are only names; a process-wide counter keeps them distinct (create_chitchat_id).
    private static int s_nextPort = 40_000;

    private readonly Dictionary<ChitchatId, ChitchatHandle> _nodes = [];
    private readonly TimeSpan _gossipInterval;
    private readonly TimeSpan _markedForDeletionGracePeriod;

    private readonly TestCluster _cluster;

    public ClusterSimulator(TimeSpan gossipInterval, TimeSpan markedForDeletionGracePeriod)
    {
        _gossipInterval = gossipInterval;
        _markedForDeletionGracePeriod = markedForDeletionGracePeriod;
        _cluster = new TestCluster(Transport);
    }

    public InMemoryTransport Transport { get; } = InMemoryTransport.WithMtu(65_507);

    /// <summary>Gets or sets the dead node grace period of nodes added afterwards (chitchat: 1 h).</summary>
    public TimeSpan DeadNodeGracePeriod { get; set; } = TimeSpan.FromHours(1);

    /// <summary>Gets or sets where each node writes its own id when its catch-up callback runs (none by default).</summary>
    public ChannelWriter<ChitchatId>? CatchupCallbacks { get; set; }

    public IReadOnlyCollection<ChitchatId> NodeIds => _nodes.Keys;

    /// <summary>An id with a fresh port (chitchat <c>create_chitchat_id</c>).</summary>
    public static ChitchatId CreateChitchatId(string name) =>
        new(name, 0, new IPEndPoint(IPAddress.Loopback, Interlocked.Increment(ref s_nextPort)));

    /// <summary>Id <c>node_{port}</c> on 127.0.0.1:port (chitchat <c>test_chitchat_id</c>).</summary>
    public static ChitchatId TestChitchatId(int port) => new($"node_{port}", 0, new IPEndPoint(IPAddress.Loopback, port));

    public ChitchatHandle this[ChitchatId id] => _nodes[id];

    /// <summary>Spawns a node seeded with <paramref name="seeds"/>, or with every node added so far.</summary>
    public async Task AddNodeAsync(ChitchatId id, IEnumerable<ChitchatId>? seeds = null)
    {
        var config = new ChitchatConfig(id)
        {
            ClusterId = "default-cluster",
            GossipInterval = _gossipInterval,
            SeedNodes = (seeds ?? _nodes.Keys).Select(seed => seed.GossipAdvertiseAddr.ToString()).ToList(),
            FailureDetectorConfig = new FailureDetectorConfig
            {
                InitialInterval = _gossipInterval * 10,
                DeadNodeGracePeriod = DeadNodeGracePeriod,
            },
            MarkedForDeletionGracePeriod = _markedForDeletionGracePeriod,
        };
        if (CatchupCallbacks is { } callbacks)
        {
            config.CatchupCallback = () => callbacks.TryWrite(id);
        }

        _nodes.Add(id, await _cluster.StartNodeAsync(config));
    }

    public T WithNode<T>(ChitchatId id, Func<ChitchatInstance, T> func) => _nodes[id].WithChitchat(func);

    public void WithNode(ChitchatId id, Action<ChitchatInstance> action) => _nodes[id].WithChitchat(action);

    public void InsertKeyValues(ChitchatId id, params (string Key, string Value)[] keyValues) =>
        _nodes[id].WithChitchat(chitchat =>
        {
            foreach (var (key, value) in keyValues)
            {
                chitchat.SelfNodeState.Set(key, value);
            }
        });

    public void Delete(ChitchatId id, string key) => _nodes[id].WithChitchat(chitchat => chitchat.SelfNodeState.Delete(key));

    public void DeleteAfterTtl(ChitchatId id, string key) =>
        _nodes[id].WithChitchat(chitchat => chitchat.SelfNodeState.DeleteAfterTtl(key));

    public void RemoveLink(ChitchatId a, ChitchatId b) => Transport.RemoveLink(a.GossipAdvertiseAddr, b.GossipAdvertiseAddr);

    public void AddLink(ChitchatId a, ChitchatId b) => Transport.AddLink(a.GossipAdvertiseAddr, b.GossipAdvertiseAddr);

    /// <summary>Asserts how <paramref name="observer"/> sees <paramref name="node"/>: once, or polled until <paramref name="timeout"/>.</summary>
    public Task AssertStatusAsync(ChitchatId observer, ChitchatId node, NodeStatus expected, TimeSpan? timeout = null) =>
        AssertAsync(
            () => _nodes[observer].WithChitchat(chitchat => CheckStatus(chitchat, node, expected)),
            timeout,
            $"{observer.NodeId} sees {node.NodeId} as {expected}");

    /// <summary>Asserts a condition on <paramref name="observer"/>'s replica of <paramref name="node"/>.</summary>
    public Task AssertStateAsync(ChitchatId observer, ChitchatId node, NodeStatePredicate predicate, TimeSpan? timeout = null) =>
        AssertAsync(
            () => _nodes[observer].WithChitchat(chitchat => chitchat.NodeState(node) is { } state && predicate.Check(state)),
            timeout,
            $"{observer.NodeId}'s replica of {node.NodeId} satisfies {predicate}");

    /// <summary>Stops every node (in parallel), then closes the catch-up channel.</summary>
    public async ValueTask DisposeAsync()
    {
        await _cluster.DisposeAsync();
        CatchupCallbacks?.TryComplete();
    }

    private static bool CheckStatus(ChitchatInstance chitchat, ChitchatId node, NodeStatus expected)
    {
        var hasState = chitchat.NodeState(node) is not null;
        var live = chitchat.LiveNodes.Contains(node);
        var dead = chitchat.DeadNodes.Contains(node);
        switch (expected)
        {
            case NodeStatus.Live when live:
                hasState.Should().BeTrue("a live node has a state");
                return true;
            case NodeStatus.Dead when dead:
                hasState.Should().BeTrue("a dead node has a state until it is garbage-collected");
                return true;
            case NodeStatus.Absent when !hasState:
                live.Should().BeFalse();
                dead.Should().BeFalse();
                return true;
            default:
                return false;
        }
    }

    private static async Task AssertAsync(Func<bool> condition, TimeSpan? timeout, string because)
    {
        if (timeout is { } value)
        {
            await Eventually.HoldsAsync(condition, value, because);
        }
        else
        {
            condition().Should().BeTrue(because);
        }
    }
}
