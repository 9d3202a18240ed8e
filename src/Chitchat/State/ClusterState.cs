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

    public ClusterState(ChangeLog changes, TimeProvider timeProvider, Random random, StateBudget? budget = null, Diagnostics.ChitchatMetrics? metrics = null)
    {
        Changes = changes;
        Metrics = metrics ?? new Diagnostics.ChitchatMetrics();
        PeerProblems = new Logging.LogRateLimiter(timeProvider);
        _timeProvider = timeProvider;
        _random = random;
        Budget = budget ?? StateBudget.Unlimited;
    }

    /// <summary>Gets the node's counters (drops, truncations, resets).</summary>
    public Diagnostics.ChitchatMetrics Metrics { get; }

    /// <summary>Gets the limiter of the log events a peer can trigger once per message (rejected deltas, foreign clusters).</summary>
    public Logging.LogRateLimiter PeerProblems { get; }

    /// <summary>Gets where the state changes are recorded for delivery after the lock is released.</summary>
    public ChangeLog Changes { get; }

    /// <summary>Gets the limits on key-value state, and what every node state together holds.</summary>
    public StateBudget Budget { get; }

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
        state = new NodeState(id, Changes, _timeProvider, Budget);
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
            state.Detach();
            Changes.Member(ClusterChangeKind.MemberForgotten, id, state.MaxVersion);
        }
    }

    /// <summary>Returns the last heartbeat of a recently garbage-collected member, if it is remembered.</summary>
    public bool TryGetLastHeartbeatIfDeleted(ChitchatId id, out ulong heartbeat) => _forgottenNodes.TryPeek(id, out heartbeat);

    /// <summary>Digest of every node state not in <paramref name="excluded"/>.</summary>
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

    /// <summary>
    /// Returns <paramref name="full"/> if it takes at most <paramref name="maxLength"/> bytes encoded in
    /// <paramref name="version"/>, else a partial digest that does: the own node first, then the other members
    /// in id order starting at <paramref name="rotation"/> and wrapping around, as many as fit.
    /// <paramref name="rotation"/> then moves past the members included, so that the next partial digest
    /// starts where this one stopped and every member's heartbeat keeps flowing.
    /// </summary>
    public static Digest FitDigest(Digest full, ChitchatId self, ProtocolVersion version, int maxLength, ref int rotation) =>
        full.GetSerializedLength(version) <= maxLength ? full : PartialDigest(full, self, version, maxLength, ref rotation);

    private static Digest PartialDigest(Digest full, ChitchatId self, ProtocolVersion version, int maxLength, ref int rotation)
    {
        var ids = full.Ids;
        var entries = full.Entries;
        var selfIndex = ids.IndexOf(self);
        var others = ids.Length - (selfIndex >= 0 ? 1 : 0);
        var start = others == 0 ? 0 : ((rotation % others) + others) % others;
        var partial = new Digest();
        using var stream = version == ProtocolVersion.V1 ? new CompressedStreamWriter(WireFormat.BlockThreshold) : null;
        var length = 2;
        var included = 0;

        // Step -1 is the own node; then the other members in rotation order.
        for (var step = selfIndex >= 0 ? -1 : 0; step < others; step++)
        {
            int index;
            if (step < 0)
            {
                index = selfIndex;
            }
            else
            {
                // The position among the other members, mapped back to an index of the full digest.
                var position = (start + step) % others;
                index = selfIndex >= 0 && position >= selfIndex ? position + 1 : position;
            }

            var id = ids[index];
            var entry = entries[index];
            var entryLength = id.SerializedLength + NodeDigest.SerializedLength;
            if (stream is null)
            {
                if (length + entryLength > maxLength)
                {
                    break;
                }

                length += entryLength;
            }
            else
            {
                // An upper bound of the finished stream (pending bytes counted uncompressed): what is added
                // always fits, whatever zstd makes of the last block.
                if (stream.SerializedLengthUpperBoundAfter(entryLength) > maxLength)
                {
                    break;
                }

                var writer = new WireWriter(stream.GetItemSpan(entryLength));
                writer.WriteChitchatId(id);
                writer.WriteU64(entry.Heartbeat);
                writer.WriteU64(entry.LastGcVersion);
                writer.WriteU64(entry.MaxVersion);
                stream.CommitItem(entryLength);
            }

            partial.Add(id, entry.Heartbeat, entry.LastGcVersion, entry.MaxVersion);
            if (step >= 0)
            {
                included++;
            }
        }

        rotation = others == 0 ? 0 : (start + included) % others;
        if (stream is not null)
        {
            // The bytes as built (own node first, then the rotation order): the receiver does not need the
            // entries sorted, and these are the bytes whose length was checked.
            partial.SetEncodedV1(stream.Finish());
        }

        return partial;
    }

    /// <summary>Garbage-collects expired tombstones on every node state.</summary>
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
