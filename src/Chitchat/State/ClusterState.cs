using System.Net;
using Chitchat.Changes;
using Chitchat.Wire;

namespace Chitchat.State;

/// <summary>
/// Every node state known locally (self included), the seed addresses, the listener registry and the
/// forgotten-nodes history. Port of chitchat state.rs <c>ClusterState</c>.
/// </summary>
/// <remarks>Not thread-safe; owned by a <see cref="ChitchatInstance"/> and used under its lock.</remarks>
internal sealed partial class ClusterState
{
    private readonly NodeStateMap _nodeStates = new();
    private readonly ForgottenNodes _forgottenNodes = new();
    private readonly TimeProvider _timeProvider;
    private readonly Random _random;
    private readonly List<KeyValuePair<string, VersionedValue>> _staleKeyValuesBuffer = [];
    private readonly StaleNodes _staleNodes = new();
    private volatile IReadOnlySet<IPEndPoint> _seedAddrs = new HashSet<IPEndPoint>();

    public ClusterState(ChangeLog changes, TimeProvider timeProvider, Random random)
    {
        Changes = changes;
        _timeProvider = timeProvider;
        _random = random;
    }

    /// <summary>Gets where the state changes are recorded for delivery after the lock is released.</summary>
    public ChangeLog Changes { get; }

    public ForgottenNodes ForgottenNodes => _forgottenNodes;

    /// <summary>Gets the node states in <see cref="ChitchatId"/> order.</summary>
    public IReadOnlyDictionary<ChitchatId, NodeState> NodeStates => _nodeStates;

    /// <summary>Gets the node states in <see cref="ChitchatId"/> order, for allocation-free walks. Do not modify.</summary>
    public List<NodeState> NodeStatesInOrder => _nodeStates.InOrder;

    /// <summary>Gets or sets the current seed addresses (replaced wholesale by the DNS refresh).</summary>
    public IReadOnlySet<IPEndPoint> SeedAddrs
    {
        get => _seedAddrs;
        set => _seedAddrs = value;
    }

    public NodeState? NodeState(ChitchatId id) => _nodeStates.TryGetValue(id, out var state) ? state : null;

    /// <summary>Returns the state of <paramref name="id"/>, creating it (and forgetting its GC record) if needed.</summary>
    public NodeState NodeStateOrCreate(ChitchatId id)
    {
        if (_nodeStates.TryGetValue(id, out var state))
        {
            return state;
        }

        _forgottenNodes.Remove(id);
        state = new NodeState(id, Changes, _timeProvider);
        _nodeStates.Add(state);
        Changes.Member(ClusterChangeKind.MemberJoined, id, 0);
        return state;
    }

    /// <summary>Removes a dead member and remembers its last heartbeat.</summary>
    public void RemoveNode(ChitchatId id)
    {
        if (_nodeStates.Remove(id, out var state))
        {
            _forgottenNodes.Push(id, state.Heartbeat);
            Changes.Member(ClusterChangeKind.MemberForgotten, id, state.MaxVersion);
        }
    }

    /// <summary>Returns the last heartbeat of a recently garbage-collected member, if it is remembered.</summary>
    public bool TryGetLastHeartbeatIfDeleted(ChitchatId id, out ulong heartbeat) => _forgottenNodes.TryPeek(id, out heartbeat);

    /// <summary>Digest of every node state not in <paramref name="excluded"/> (BEHAVIOUR.md §5).</summary>
    public Digest ComputeDigest(IReadOnlySet<ChitchatId> excluded)
    {
        var digest = new Digest(_nodeStates.Count);
        foreach (var state in _nodeStates.InOrder)
        {
            var id = state.ChitchatId;
            if (excluded.Count != 0 && excluded.Contains(id))
            {
                continue;
            }

            digest.Add(id, state.Heartbeat, state.LastGcVersion, state.MaxVersion);
        }

        return digest;
    }

    /// <summary>Garbage-collects expired tombstones on every node state (BEHAVIOUR.md §4).</summary>
    public void GcKeysMarkedForDeletion(TimeSpan gracePeriod)
    {
        var now = _timeProvider.GetTimestamp();
        foreach (var state in _nodeStates.InOrder)
        {
            state.GcKeysMarkedForDeletion(gracePeriod, now);
        }
    }

    /// <summary>
    /// Returns immutable snapshots of every node state, in id order. Unchanged node states give the same
    /// snapshot objects as the previous call.
    /// </summary>
    public System.Collections.Immutable.ImmutableArray<NodeStateSnapshot> SnapshotNodeStates()
    {
        var states = System.Collections.Immutable.ImmutableArray.CreateBuilder<NodeStateSnapshot>(_nodeStates.Count);
        foreach (var state in _nodeStates.InOrder)
        {
            states.Add(state.ToSnapshot());
        }

        return states.MoveToImmutable();
    }
}
