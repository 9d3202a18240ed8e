using Chitchat.Wire;
using Microsoft.Extensions.Logging;

namespace Chitchat.State;

internal sealed partial class ClusterState
{
    /// <summary>
    /// Computes what <paramref name="peerDigest"/>'s owner is missing, within <paramref name="mtu"/> bytes.
    /// Port of chitchat state.rs <c>compute_partial_delta_respecting_mtu</c>.
    /// </summary>
    /// <param name="peerDigest">The peer's digest.</param>
    /// <param name="mtu">The byte budget of the encoded delta; below 100 an empty delta is returned.</param>
    /// <param name="excluded">Nodes scheduled for deletion, never shared.</param>
    /// <param name="logger">Where to log resets.</param>
    public Delta ComputePartialDelta(Digest peerDigest, int mtu, IReadOnlySet<ChitchatId> excluded, ILogger logger)
    {
        if (mtu < WireFormat.MinimumDeltaMtu)
        {
            // Rust asserts here (its gossip task would crash); an empty delta is always safe. Expected for a reply
            // to an unverified source, which may be no larger than its request.
            Log.DeltaBudgetTooSmall(logger, mtu);
            return Delta.Empty;
        }

        var staleNodes = _staleNodes;
        staleNodes.Clear();

        // Both sequences are sorted by id: walk them together instead of searching the digest for every node.
        var peerIds = peerDigest.Ids;
        var peerEntries = peerDigest.Entries;
        var peerIndex = 0;
        foreach (var state in _nodeStates.InOrder)
        {
            var id = state.ChitchatId;
            var comparison = 1;
            while (peerIndex < peerIds.Length && (comparison = peerIds[peerIndex].CompareTo(id)) < 0)
            {
                peerIndex++;
            }

            if (excluded.Count != 0 && excluded.Contains(id))
            {
                continue;
            }

            ulong peerLastGcVersion = 0, peerMaxVersion = 0;
            if (peerIndex < peerIds.Length && comparison == 0)
            {
                peerLastGcVersion = peerEntries[peerIndex].LastGcVersion;
                peerMaxVersion = peerEntries[peerIndex].MaxVersion;
            }

            if (state.MaxVersion <= peerMaxVersion)
            {
                continue;
            }

            // We garbage-collected tombstones the peer has not seen, and its replica is older than our GC
            // frontier: it must start over.
            var reset = peerLastGcVersion < state.LastGcVersion && peerMaxVersion < state.LastGcVersion;
            if (reset)
            {
                Log.PeerNeedsReset(logger, id, state.LastGcVersion, peerMaxVersion);
            }

            staleNodes.Offer(state, reset ? 0 : peerMaxVersion);
        }

        if (staleNodes.Count == 0)
        {
            return Delta.Empty;
        }

        using var builder = new DeltaBuilder(mtu);
        if (!FillDelta(builder, staleNodes.ToPriorityOrder(_random)))
        {
            // The peer misses more than fits: it gets the rest in later rounds.
            Metrics.DeltaTruncated();
        }

        staleNodes.Clear();
        return builder.Finish();
    }

    /// <summary>Adds the stale nodes' entries in priority order; returns false when the budget cut the delta short.</summary>
    private bool FillDelta(DeltaBuilder builder, List<StaleNode> staleNodes)
    {
        var complete = true;
        foreach (var staleNode in staleNodes)
        {
            var state = staleNode.NodeState;
            var numStale = staleNode.Staleness.NumStaleKeyValues;
            if (!builder.TryAddNode(state.ChitchatId, state.LastGcVersion, staleNode.FromVersionExcluded, numStale))
            {
                return false;
            }

            state.CollectStaleKeyValues(staleNode.FromVersionExcluded, _staleKeyValuesBuffer);
            foreach (var (key, entry) in _staleKeyValuesBuffer)
            {
                if (!builder.TryAddKeyValue(key, entry.Value, entry.Version, entry.Status))
                {
                    _staleKeyValuesBuffer.Clear();
                    return false;
                }
            }

            if (_staleKeyValuesBuffer.Count == 0 && !builder.TrySetMaxVersion(state.MaxVersion))
            {
                // Every entry above the peer's version was garbage-collected: let it catch up on max_version.
                // Ignored when it does not fit; every later operation is larger and will not fit either.
                complete = false;
            }

            _staleKeyValuesBuffer.Clear();
        }

        return complete;
    }

    /// <summary>
    /// Applies a received delta; deltas never create node states. Returns whether any node delta caused a
    /// reset. Port of chitchat state.rs <c>ClusterState::apply_delta</c>.
    /// </summary>
    /// <param name="delta">The received delta.</param>
    /// <param name="self">The local node: a node delta about it is never applied (self-authority).</param>
    /// <param name="logger">Where to log.</param>
    /// <param name="reassertSelf">Called with (0, max version) when a node delta about the local node carries a newer version.</param>
    public bool ApplyDelta(Delta delta, ILogger logger, ChitchatId? self = null, Action<ulong, ulong>? reassertSelf = null)
    {
        var now = _timeProvider.GetTimestamp();
        var anyReset = false;

        // Refusals are counted once per delta and reason (the drops metric counts datagrams, not node deltas).
        bool selfRefused = false, inapplicable = false, overBudget = false;
        foreach (var nodeDelta in delta.NodeDeltas)
        {
            if (self is not null && nodeDelta.ChitchatId.Equals(self))
            {
                // Only this node writes its own state; a peer claiming a newer one makes us re-assert ours.
                Log.SelfDeltaIgnored(logger, nodeDelta.MaxVersion);
                reassertSelf?.Invoke(0, nodeDelta.MaxVersion);
                selfRefused = true;
                continue;
            }

            if (!_nodeStates.TryGetValue(nodeDelta.ChitchatId, out var state))
            {
                continue;
            }

            var before = state.MonotonicProperty;
            var status = state.CheckDeltaStatus(nodeDelta);
            if (!status.IsReject())
            {
                // The pair (last_gc_version, max_version) must never decrease (Rust asserts it after the fact
                // and crashes); check the outcome first and refuse a node delta that would violate it.
                var after = status == DeltaStatus.ApplyAfterReset
                    ? (nodeDelta.LastGcVersion, nodeDelta.MaxVersion)
                    : (state.LastGcVersion, nodeDelta.MaxVersion);
                if (after.CompareTo(before) < 0)
                {
                    if (PeerProblems.TryAcquire(out _))
                    {
                        Log.MonotonicViolationRejected(logger, nodeDelta.ChitchatId, before.LastGcVersion, before.MaxVersion, after.Item1, after.Item2);
                    }

                    inapplicable = true;
                    continue;
                }

                if (status == DeltaStatus.ApplyAfterReset)
                {
                    // Rare (the owner garbage-collected tombstones this replica never saw), so traced.
                    using var activity = StartResetActivity(nodeDelta);
                    status = state.ApplyDelta(nodeDelta, now);
                    activity?.SetTag("chitchat.reset.applied", status == DeltaStatus.ApplyAfterReset);
                }
                else
                {
                    status = state.ApplyDelta(nodeDelta, now);
                }
            }

            switch (status)
            {
                case DeltaStatus.ApplyAfterReset:
                    Log.ReplicaReset(logger, nodeDelta.ChitchatId, nodeDelta.LastGcVersion);
                    Metrics.ReplicaReset();
                    anyReset = true;
                    break;
                case DeltaStatus.RejectFromTheFuture:
                    Log.DeltaFromTheFuture(logger, nodeDelta.ChitchatId, nodeDelta.FromVersionExcluded, state.MaxVersion);
                    inapplicable = true;
                    break;
                case DeltaStatus.RejectInapplicable:
                    inapplicable = true;
                    if (PeerProblems.TryAcquire(out _))
                    {
                        Log.DeltaInapplicable(logger, nodeDelta.ChitchatId, nodeDelta.FromVersionExcluded, nodeDelta.LastGcVersion, state.LastGcVersion);
                    }

                    break;
                case DeltaStatus.RejectMaxVersionBelowKeyValues:
                    inapplicable = true;
                    if (PeerProblems.TryAcquire(out _))
                    {
                        Log.DeltaMaxVersionBelowKeyValues(logger, nodeDelta.ChitchatId, nodeDelta.MaxVersion);
                    }

                    break;
                case DeltaStatus.RejectOverBudget:
                    overBudget = true;
                    OverBudgetDeltas++;
                    if (_timeProvider.GetElapsedTime(_lastOverBudgetLog, now) >= OverBudgetLogInterval)
                    {
                        _lastOverBudgetLog = now;
                        Log.DeltaOverBudget(logger, nodeDelta.ChitchatId, state.StateBytes, Budget.MaxBytesPerNode, Budget.MaxKeysPerNode, Budget.TotalBytes, Budget.MaxTotalBytes, OverBudgetDeltas);
                    }

                    break;
            }
        }

        CountRefusal(selfRefused, Diagnostics.DatagramDropReason.SelfAuthority);
        CountRefusal(inapplicable, Diagnostics.DatagramDropReason.InapplicableDelta);
        CountRefusal(overBudget, Diagnostics.DatagramDropReason.StateBudget);
        return anyReset;
    }

    private void CountRefusal(bool refused, Diagnostics.DatagramDropReason reason)
    {
        if (refused)
        {
            Metrics.Dropped(reason);
        }
    }

    private System.Diagnostics.Activity? StartResetActivity(NodeDelta nodeDelta)
    {
        var activity = Metrics.StartActivity("chitchat.reset");
        activity?.SetTag("chitchat.reset.member", nodeDelta.ChitchatId.ToString())
            .SetTag("chitchat.reset.last_gc_version", nodeDelta.LastGcVersion)
            .SetTag("chitchat.reset.max_version", nodeDelta.MaxVersion);
        return activity;
    }

    /// <summary>The shortest time between two log lines about node deltas refused for the state budget.</summary>
    internal static readonly TimeSpan OverBudgetLogInterval = TimeSpan.FromSeconds(10);

    private long _lastOverBudgetLog = long.MinValue / 2;

    /// <summary>Gets the number of node deltas refused because of the state budget.</summary>
    public long OverBudgetDeltas { get; private set; }

    private static partial class Log
    {
        [LoggerMessage(EventId = 107, Level = LogLevel.Debug, Message = "Ignoring a peer's delta about this node (max version {MaxVersion}): only this node writes its own state")]
        public static partial void SelfDeltaIgnored(ILogger logger, ulong maxVersion);

        [LoggerMessage(EventId = 110, Level = LogLevel.Warning, Message = "Refused a delta about {NodeId}: it would exceed the state budget (replica {StateBytes} of at most {MaxBytesPerNode} bytes, at most {MaxKeysPerNode} keys; all states {TotalBytes} of at most {MaxTotalBytes} bytes); {Count} refused so far")]
        public static partial void DeltaOverBudget(ILogger logger, ChitchatId nodeId, long stateBytes, long maxBytesPerNode, int maxKeysPerNode, long totalBytes, long maxTotalBytes, long count);

        [LoggerMessage(EventId = 100, Level = LogLevel.Debug, Message = "Delta budget of {Mtu} bytes is below the 100-byte minimum; sending an empty delta")]
        public static partial void DeltaBudgetTooSmall(ILogger logger, int mtu);

        [LoggerMessage(EventId = 101, Level = LogLevel.Information, Message = "Peer must reset its replica of {NodeId}: our last GC version {LastGcVersion}, its max version {PeerMaxVersion}")]
        public static partial void PeerNeedsReset(ILogger logger, ChitchatId nodeId, ulong lastGcVersion, ulong peerMaxVersion);

        [LoggerMessage(EventId = 102, Level = LogLevel.Information, Message = "Resetting replica of {NodeId} to last GC version {LastGcVersion}")]
        public static partial void ReplicaReset(ILogger logger, ChitchatId nodeId, ulong lastGcVersion);

        [LoggerMessage(EventId = 103, Level = LogLevel.Debug, Message = "Ignoring delta from the future for {NodeId}: from version {FromVersion} above our max version {MaxVersion}")]
        public static partial void DeltaFromTheFuture(ILogger logger, ChitchatId nodeId, ulong fromVersion, ulong maxVersion);

        [LoggerMessage(EventId = 104, Level = LogLevel.Warning, Message = "Ignoring inapplicable delta for {NodeId}: from version {FromVersion}, sender last GC version {SenderLastGcVersion}, ours {LastGcVersion}")]
        public static partial void DeltaInapplicable(ILogger logger, ChitchatId nodeId, ulong fromVersion, ulong senderLastGcVersion, ulong lastGcVersion);

        [LoggerMessage(EventId = 105, Level = LogLevel.Warning, Message = "Rejecting delta for {NodeId}: its max version {MaxVersion} is below its last key-value version")]
        public static partial void DeltaMaxVersionBelowKeyValues(ILogger logger, ChitchatId nodeId, ulong maxVersion);

        [LoggerMessage(EventId = 106, Level = LogLevel.Warning, Message = "Rejecting delta for {NodeId}: it would move (last GC version, max version) back from ({BeforeGc}, {BeforeMax}) to ({AfterGc}, {AfterMax})")]
        public static partial void MonotonicViolationRejected(ILogger logger, ChitchatId nodeId, ulong beforeGc, ulong beforeMax, ulong afterGc, ulong afterMax);
    }
}
