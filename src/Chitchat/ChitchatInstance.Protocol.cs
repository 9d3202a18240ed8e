using Chitchat.Changes;
using Chitchat.State;
using Chitchat.Wire;
using Microsoft.Extensions.Logging;

namespace Chitchat;

internal sealed partial class ChitchatInstance
{
    /// <summary>
    /// The delta budget a SynAck keeps when its full own digest does not leave the builder's minimum (100 bytes):
    /// the digest is then sent partially, leaving this much for the delta. Rust crashes in that case.
    /// </summary>
    internal const int PartialSynAckDeltaBudget = WireFormat.BlockThreshold;

    /// <summary>
    /// Creates a Syn in the configured protocol version with this node's digest (scheduled-for-deletion nodes
    /// left out). A digest too long for one datagram is sent partially: the own node first, then a rotating
    /// share of the other members.
    /// </summary>
    internal ChitchatMessage.Syn CreateSynMessage() => CreateSynMessage(Config.ProtocolVersion);

    /// <summary>Creates a Syn in <paramref name="version"/>; see <see cref="CreateSynMessage()"/>.</summary>
    internal ChitchatMessage.Syn CreateSynMessage(ProtocolVersion version)
    {
        var maxDigestLength = MaxDatagramPayloadSize - WireFormat.HeaderLength - WireFormat.StringLength(Config.ClusterId);
        var digest = ClusterState.FitDigest(
            _clusterState.ComputeDigest(ScheduledForDeletionSet()), SelfChitchatId, version, maxDigestLength, ref _digestRotation);
        return new(Config.ClusterId, digest, version);
    }

    /// <summary>
    /// Self-authority: only this node writes its own state. When a peer's digest or delta shows a version of
    /// our own state above ours (we restarted with the same id and lost our state, or someone forged it), we
    /// re-assert ours above it: every live key is written again with a newer version, and the GC frontier
    /// moves above the peer's version, so that every peer resets its replica of us and takes ours whole.
    /// A heartbeat above ours is overtaken the same way, so that peers do not stop seeing ours increase.
    /// </summary>
    internal void ReassertSelfAbove(ulong peerHeartbeat, ulong peerMaxVersion)
    {
        var self = SelfNodeState;
        if (peerHeartbeat > self.Heartbeat && peerHeartbeat != ulong.MaxValue)
        {
            self.RaiseHeartbeatAbove(peerHeartbeat);
        }

        if (peerMaxVersion <= self.MaxVersion || peerMaxVersion >= ulong.MaxValue / 2)
        {
            // A version this close to the end of the range is a forgery we cannot overtake without running out
            // of versions; ignoring it is safe: we never adopt it, we only fail to reach that one peer.
            return;
        }

        Log.SelfStateReasserted(_logger, self.MaxVersion, peerMaxVersion);
        self.ReassertAbove(peerMaxVersion);
    }

    /// <summary>
    /// Processes one received message and returns the reply, if any. Every message bumps the own heartbeat
    /// first. A SynAck or a BadCluster answers in the version of the Syn, an Ack in the version of the SynAck.
    /// Port of chitchat lib.rs <c>Chitchat::process_message</c>.
    /// </summary>
    /// <param name="message">The message.</param>
    /// <param name="maxReplyLength">
    /// The most bytes the reply may take on the wire. The server passes the request's own length for a source
    /// that has not proven it receives our datagrams, so that a forged source cannot turn the node into an
    /// amplifier: the digest is then partial (own node first) and the delta as small as it has to be.
    /// </param>
    /// <param name="source">
    /// The datagram's source address, for the per-source limit on new members (<see langword="null"/>: not limited).
    /// </param>
    internal ChitchatMessage? ProcessMessage(ChitchatMessage message, int maxReplyLength = int.MaxValue, System.Net.IPEndPoint? source = null)
    {
        UpdateSelfHeartbeat();
        var version = message.Version;
        var payload = Math.Min(MaxDatagramPayloadSize, maxReplyLength) - WireFormat.HeaderLength;
        switch (message)
        {
            case ChitchatMessage.Syn syn:
                if (!string.Equals(syn.ClusterId, Config.ClusterId, StringComparison.Ordinal))
                {
                    Metrics.Dropped(Diagnostics.DatagramDropReason.WrongCluster);
                    if (PeerProblems.TryAcquire(out var suppressed))
                    {
                        Log.SynFromOtherCluster(_logger, Config.ClusterId, syn.ClusterId, suppressed);
                    }

                    return ChitchatMessage.BadCluster.ForVersion(version);
                }

                ReportHeartbeatsInDigest(syn.Digest, source);
                var excluded = ScheduledForDeletionSet();

                // The budget reserves the own digest as encoded in the reply's version (Rust 0.13 reserves it in
                // the configured version, which overflows the datagram when a V1 node answers a V0 Syn).
                var selfDigest = _clusterState.ComputeDigest(excluded);
                if (payload - selfDigest.GetSerializedLength(version) < WireFormat.MinimumDeltaMtu)
                {
                    // Leave room for a useful delta; when the reply must stay small (an unverified source), for at
                    // least the one byte of an empty delta.
                    var digestBudget = payload >= 2 * PartialSynAckDeltaBudget ? payload - PartialSynAckDeltaBudget : payload - 1;
                    selfDigest = ClusterState.FitDigest(selfDigest, SelfChitchatId, version, digestBudget, ref _digestRotation);
                }

                var mtu = payload - selfDigest.GetSerializedLength(version);
                var synAckDelta = _clusterState.ComputePartialDelta(syn.Digest, mtu, excluded, _logger);
                return new ChitchatMessage.SynAck(selfDigest, synAckDelta, version);

            case ChitchatMessage.SynAck synAck:
                ReportHeartbeatsInDigest(synAck.Digest, source);
                ProcessDelta(synAck.Delta);
                var ackDelta = _clusterState.ComputePartialDelta(synAck.Digest, payload, ScheduledForDeletionSet(), _logger);
                return new ChitchatMessage.Ack(ackDelta, version);

            case ChitchatMessage.Ack ack:
                ProcessDelta(ack.Delta);
                return null;

            case ChitchatMessage.BadCluster:
                if (PeerProblems.TryAcquire(out _))
                {
                    Log.RejectedByPeerWrongCluster(_logger);
                }

                return null;

            default:
                throw new ArgumentException($"Unknown message type {message.GetType()}.", nameof(message));
        }
    }

    /// <summary>
    /// Applies a delta; if any replica was reset, the catch-up callback is due once, and runs after the lock is
    /// released (<see cref="DispatchChanges"/>).
    /// </summary>
    internal void ProcessDelta(Delta delta)
    {
        if (delta.NodeDeltas.Count == 0)
        {
            return;
        }

        if (_clusterState.ApplyDelta(delta, _logger, SelfChitchatId, ReassertSelfAbove) && Config.CatchupCallback is not null)
        {
            _pendingCatchups++;
        }
    }

    /// <summary>Runs the catch-up callbacks that became due under the lock; call without holding <see cref="Gate"/>.</summary>
    private void RunPendingCatchups()
    {
        int due;
        lock (Gate)
        {
            due = _pendingCatchups;
            _pendingCatchups = 0;
        }

        for (var i = 0; i < due && Config.CatchupCallback is { } callback; i++)
        {
            Log.ExecutingCatchupCallback(_logger);
            try
            {
                callback();
            }
            catch (Exception ex)
            {
                // An application callback must not stop gossip.
                Log.CatchupCallbackFailed(_logger, ex);
            }
        }
    }

    /// <summary>
    /// Records the heartbeats of a peer's digest. Members the node does not know are created within
    /// <see cref="ChitchatConfig.MaxMembers"/> and <see cref="ChitchatConfig.MaxNewMembersPerSource"/>; the others
    /// are ignored (and counted in a rate-limited log line).
    /// </summary>
    internal void ReportHeartbeatsInDigest(Digest digest, System.Net.IPEndPoint? source = null)
    {
        var ids = digest.Ids;
        var entries = digest.Entries;
        var allowance = _newMembers.Allowance(source);
        var room = Config.MaxMembers - _clusterState.NodeStates.Count;
        var introduced = 0;
        var ignored = 0;
        var capped = false;
        var self = SelfChitchatId;

        // One clock read for the whole digest: it is received at one instant.
        var now = _timeProvider.GetTimestamp();
        for (var i = 0; i < ids.Length; i++)
        {
            if (ids[i].Equals(self))
            {
                // Self-authority: a peer's view of our own state above ours makes us re-assert ours.
                ReassertSelfAbove(entries[i].Heartbeat, entries[i].MaxVersion);
                continue;
            }

            // One lookup per entry: the state found here is the one updated below.
            var state = _clusterState.NodeState(ids[i]);
            if (state is null && (introduced >= allowance || introduced >= room))
            {
                ignored++;
                capped |= introduced >= room;
                continue;
            }

            if (ReportHeartbeat(ids[i], entries[i].Heartbeat, state, now) && state is null)
            {
                introduced++;
            }
        }

        _newMembers.Record(source, introduced);
        if (ignored > 0)
        {
            Metrics.Dropped(capped ? Diagnostics.DatagramDropReason.MemberCap : Diagnostics.DatagramDropReason.NewMemberLimit);
            NoteIgnoredMembers(ignored, source);
        }
    }

    /// <summary>Records a heartbeat seen in a digest; returns whether the member has a state afterwards.</summary>
    internal bool ReportHeartbeat(ChitchatId id, ulong heartbeat) =>
        !id.Equals(SelfChitchatId) && ReportHeartbeat(id, heartbeat, _clusterState.NodeState(id), _timeProvider.GetTimestamp());

    /// <summary>
    /// Records a heartbeat of another member, whose current state is <paramref name="state"/> (null if it has none),
    /// received at <paramref name="now"/>; returns whether the member has a state afterwards.
    /// </summary>
    private bool ReportHeartbeat(ChitchatId id, ulong heartbeat, State.NodeState? state, long now)
    {
        if (state is null)
        {
            // Forgotten recently and not heard of with a higher heartbeat: do not resurrect a zombie.
            if (_clusterState.TryGetLastHeartbeatIfDeleted(id, out var lastHeartbeat) && lastHeartbeat >= heartbeat)
            {
                return false;
            }

            if (_membershipLogs.TryAcquire(out var suppressedJoins))
            {
                Log.MemberJoined(_logger, id, suppressedJoins);
            }

            state = _clusterState.NodeStateOrCreate(id);
        }

        if (state.TrySetHeartbeat(heartbeat))
        {
            _failureDetector.ReportHeartbeat(id, now);
        }

        return true;
    }

    /// <summary>The shortest time between two log lines about ignored members.</summary>
    internal static readonly TimeSpan IgnoredMembersLogInterval = TimeSpan.FromSeconds(10);

    /// <summary>Gets the number of members ignored because of the member limits since the node started.</summary>
    internal long IgnoredMembersTotal { get; private set; }

    private void NoteIgnoredMembers(int ignored, System.Net.IPEndPoint? source)
    {
        IgnoredMembersTotal += ignored;
        _ignoredMembers += ignored;
        var now = _timeProvider.GetTimestamp();
        if (_timeProvider.GetElapsedTime(_lastIgnoredMembersLog, now) < IgnoredMembersLogInterval)
        {
            return;
        }

        Log.MembersIgnored(_logger, _ignoredMembers, source, _clusterState.NodeStates.Count, Config.MaxMembers, Config.MaxNewMembersPerSource);
        _ignoredMembers = 0;
        _lastIgnoredMembersLog = now;
    }

    internal void UpdateSelfHeartbeat() => SelfNodeState.IncrementHeartbeat();

    internal void GcKeysMarkedForDeletion() => _clusterState.GcKeysMarkedForDeletion(Config.MarkedForDeletionGracePeriod);

    /// <summary>
    /// Re-evaluates every peer's liveness, publishes the live-nodes watch if it changed, and forgets nodes
    /// dead for longer than the grace period.
    /// </summary>
    internal void UpdateNodesLiveness()
    {
        var self = SelfChitchatId;
        var states = _clusterState.NodeStatesInOrder;
        foreach (var state in states)
        {
            if (state.ChitchatId.Equals(self))
            {
                continue;
            }

            if (HasAnnouncedLeave(state))
            {
                _failureDetector.ReportLeft(state.ChitchatId);
            }
            else if (_failureDetector.UpdateNodeLiveness(state.ChitchatId) is { } phi)
            {
                Metrics.RecordPhi(phi);
            }
        }

        RecordMemberTransitions(self, states);

        // The live nodes (self and the nodes the failure detector finds live) that have a state, with their
        // max version, compared with the last published set without building a new map. The extra liveness
        // predicate reads key-values, so it is evaluated again when a max version changes.
        var liveCount = 0;
        var changed = false;
        foreach (var state in states)
        {
            var id = state.ChitchatId;
            if (!id.Equals(self) && !_failureDetector.IsLive(id))
            {
                continue;
            }

            liveCount++;
            changed = changed || !state.InPublishedLiveSet || state.PublishedMaxVersion != state.MaxVersion;
        }

        if (changed || liveCount != _publishedLiveCount)
        {
            PublishLiveNodes(self, states);
        }

        _garbageCollected.Clear();
        _failureDetector.GarbageCollect(_garbageCollected);
        foreach (var id in _garbageCollected)
        {
            if (id.Equals(self))
            {
                Log.SelfNodeGarbageCollected(_logger);
                continue;
            }

            _clusterState.RemoveNode(id);
            LogMembership(Log.MemberForgotten, id);
        }

        _garbageCollected.Clear();
        PublishMetrics();
    }

    /// <summary>Publishes the membership and own-state gauges (read by metric collection without the lock).</summary>
    private void PublishMetrics()
    {
        _failureDetector.CollectScheduledForDeletion(_scheduledForDeletion);
        var scheduled = _scheduledForDeletion.Count;
        var self = SelfNodeState;
        Metrics.PublishMembership(
            live: 1 + _failureDetector.LiveNodeCount,
            dead: Math.Max(0, _failureDetector.DeadNodeCount - scheduled),
            scheduledForDeletion: scheduled,
            ownKeys: self.NumKeyValues,
            ownBytes: self.StateBytes);
        Metrics.OnLivePeers(_failureDetector.LiveNodeCount);
    }

    // Membership events are Information, but a flood of members (a cluster starting, a forged digest) must not
    // flood the logs: beyond the limiter's burst they are counted and the next one logged says how many.
    private void LogMembership(Action<ILogger, ChitchatId, long> log, ChitchatId id)
    {
        if (_membershipLogs.TryAcquire(out var suppressed))
        {
            log(_logger, id, suppressed);
        }
    }

    /// <summary>Records a change (and logs) for every member whose liveness classification changed.</summary>
    private void RecordMemberTransitions(ChitchatId self, List<State.NodeState> states)
    {
        _failureDetector.CollectScheduledForDeletion(_scheduledForDeletion);
        foreach (var state in states)
        {
            var id = state.ChitchatId;
            if (id.Equals(self))
            {
                continue;
            }

            var announcedLeave = HasAnnouncedLeave(state);
            var status = announcedLeave ? MemberStatus.Left
                : _failureDetector.IsLive(id) ? MemberStatus.Live
                : _scheduledForDeletion.Contains(id) ? MemberStatus.Left : MemberStatus.Dead;
            var previous = state.Status;
            var known = previous != MemberStatus.Unclassified;
            if (previous == status)
            {
                continue;
            }

            state.Status = status;
            switch (status)
            {
                case MemberStatus.Live:
                    LogMembership(Log.MemberLive, id);
                    Changes.Member(ClusterChangeKind.MemberLive, id, state.MaxVersion);
                    break;
                case MemberStatus.Dead:
                    if (known || _failureDetector.IsDead(id))
                    {
                        LogMembership(Log.MemberDead, id);
                        Changes.Member(ClusterChangeKind.MemberDead, id, state.MaxVersion);
                    }

                    break;
                case MemberStatus.Left when announcedLeave:
                    // A member seen leaving before it was ever live or dead just stays out of the views.
                    if (known)
                    {
                        LogMembership(Log.MemberLeftGracefully, id);
                        Changes.Member(ClusterChangeKind.MemberLeft, id, state.MaxVersion);
                    }

                    break;
                case MemberStatus.Left:
                    LogMembership(Log.MemberLeft, id);
                    Changes.Member(ClusterChangeKind.MemberLeft, id, state.MaxVersion);
                    break;
            }
        }
    }

    private bool PassesExtraLivenessPredicate(Func<State.NodeStateSnapshot, bool> predicate, State.NodeState state)
    {
        try
        {
            return predicate(state.ToSnapshot());
        }
        catch (Exception ex)
        {
            // A faulty application predicate must not stop gossip: the node is left out of the watch.
            Log.ExtraLivenessPredicateFailed(_logger, state.ChitchatId, ex);
            return false;
        }
    }

    private void PublishLiveNodes(ChitchatId self, List<State.NodeState> states)
    {
        _publishedLiveCount = 0;
        // Built in id order, as the node states are; rented, so that no buffer per member is kept between rounds.
        var published = System.Buffers.ArrayPool<ChitchatId>.Shared.Rent(states.Count);
        var publishedCount = 0;
        var predicate = Config.ExtraLivenessPredicate;
        foreach (var state in states)
        {
            var id = state.ChitchatId;
            if (!id.Equals(self) && !_failureDetector.IsLive(id))
            {
                state.InPublishedLiveSet = false;
                continue;
            }

            state.InPublishedLiveSet = true;
            state.PublishedMaxVersion = state.MaxVersion;
            _publishedLiveCount++;
            if (predicate is null || PassesExtraLivenessPredicate(predicate, state))
            {
                published[publishedCount++] = id;
            }
        }

        // Published only when the set itself changed: key-value changes are on the change stream.
        var ids = published.AsSpan(0, publishedCount);
        if (LiveMembers.Current is not SortedIdSet current || !current.SequenceEqual(ids))
        {
            LiveMembers.Publish(new SortedIdSet(ids.ToArray()));
        }

        ids.Clear();
        System.Buffers.ArrayPool<ChitchatId>.Shared.Return(published);
    }

    private IReadOnlySet<ChitchatId> ScheduledForDeletionSet()
    {
        _failureDetector.CollectScheduledForDeletion(_scheduledForDeletion);
        return _scheduledForDeletion.Count == 0 ? s_noneExcluded : _scheduledForDeletion;
    }

    /// <summary>
    /// Fast-forwards the replica of <paramref name="id"/> from an out-of-band snapshot (the catch-up API, to
    /// call after <see cref="ChitchatConfig.CatchupCallback"/> fetched a node's state from elsewhere).
    /// </summary>
    /// <remarks>
    /// As chitchat 0.13: the snapshot is applied only if its (last GC version, max version) pair is
    /// lexicographically greater than the replica's; otherwise it is obsolete (a gossip reset overtook it) and
    /// is logged and ignored. The replica then takes the snapshot's max version and GC version, its key-values
    /// (listeners fire for values newer than the replica's) and loses every key the snapshot does not have. A
    /// node forgotten recently, and not known again since, is not brought back.
    /// </remarks>
    /// <param name="id">The node.</param>
    /// <param name="keyValues">Its key-values, tombstones included.</param>
    /// <param name="maxVersion">The snapshot's max version.</param>
    /// <param name="lastGcVersion">The snapshot's last garbage-collected version.</param>
    internal bool ResetNodeStateIfUpdate(
        ChitchatId id,
        IEnumerable<KeyValuePair<string, VersionedValue>> keyValues,
        ulong maxVersion,
        ulong lastGcVersion)
    {
        ArgumentNullException.ThrowIfNull(id);
        ArgumentNullException.ThrowIfNull(keyValues);
        if (id.Equals(SelfChitchatId))
        {
            // Self-authority: nobody else knows our own state better than we do.
            Log.ResetOfSelfRefused(_logger);
            return false;
        }

        NodeState? state;
        if (!_clusterState.TryGetLastHeartbeatIfDeleted(id, out _))
        {
            if (!_clusterState.NodeStates.ContainsKey(id) && _clusterState.NodeStates.Count >= Config.MaxMembers)
            {
                Metrics.Dropped(Diagnostics.DatagramDropReason.MemberCap);
                NoteIgnoredMembers(1, source: null);
                return false;
            }

            state = _clusterState.NodeStateOrCreate(id);
        }
        else
        {
            state = _clusterState.NodeState(id);
            if (state is null)
            {
                Log.ResetSkippedForgottenNode(_logger, id);
                return false;
            }
        }

        var before = state.MonotonicProperty;
        if ((lastGcVersion, maxVersion).CompareTo(before) <= 0)
        {
            Log.ResetSkippedObsolete(_logger, id, state.MaxVersion, state.LastGcVersion, maxVersion, lastGcVersion);
            return false;
        }

        // Known to the failure detector, so that it is eventually garbage-collected if it never heartbeats,
        // but no heartbeat is reported: a reset node must not look alive.
        _failureDetector.EnsureSamplingWindow(id);

        var previousKeys = new HashSet<string>(StringComparer.Ordinal);
        foreach (var (key, _) in state.KeyValuesIncludingDeleted)
        {
            previousKeys.Add(key);
        }

        // Rare (an application fetched the state out of band), so traced.
        using var activity = Metrics.StartActivity("chitchat.catchup");
        activity?.SetTag("chitchat.reset.member", id.ToString())
            .SetTag("chitchat.reset.last_gc_version", lastGcVersion)
            .SetTag("chitchat.reset.max_version", maxVersion);
        state.ResetVersions(lastGcVersion, maxVersion);
        foreach (var (key, value) in keyValues)
        {
            previousKeys.Remove(key);
            state.SetVersionedValue(key, value);
        }

        foreach (var key in previousKeys)
        {
            state.RemoveKeyValueInternal(key);
        }

        Log.NodeStateReset(_logger, id, state.MaxVersion, state.LastGcVersion);
        Metrics.CatchupApplied();
        return true;
    }

    private static partial class Log
    {
        [LoggerMessage(EventId = 17, EventName = "MemberJoined", Level = LogLevel.Information, Message = "Member {NodeId} joined ({SuppressedCount} membership events not logged before this one)")]
        public static partial void MemberJoined(ILogger logger, ChitchatId nodeId, long suppressedCount);

        [LoggerMessage(EventId = 10, EventName = "MemberLive", Level = LogLevel.Information, Message = "Member {NodeId} is live ({SuppressedCount} membership events not logged before this one)")]
        public static partial void MemberLive(ILogger logger, ChitchatId nodeId, long suppressedCount);

        [LoggerMessage(EventId = 11, EventName = "MemberDead", Level = LogLevel.Information, Message = "Member {NodeId} is dead ({SuppressedCount} membership events not logged before this one)")]
        public static partial void MemberDead(ILogger logger, ChitchatId nodeId, long suppressedCount);

        [LoggerMessage(EventId = 12, EventName = "MemberLeft", Level = LogLevel.Information, Message = "Member {NodeId} left: dead for half the grace period, no longer gossiped about ({SuppressedCount} membership events not logged before this one)")]
        public static partial void MemberLeft(ILogger logger, ChitchatId nodeId, long suppressedCount);

        [LoggerMessage(EventId = 13, EventName = "MemberForgotten", Level = LogLevel.Information, Message = "Member {NodeId} forgotten after the dead-node grace period ({SuppressedCount} membership events not logged before this one)")]
        public static partial void MemberForgotten(ILogger logger, ChitchatId nodeId, long suppressedCount);

        [LoggerMessage(EventId = 14, EventName = "NodeStateReset", Level = LogLevel.Information, Message = "State of {NodeId} reset from a snapshot: max version {MaxVersion}, last GC version {LastGcVersion}")]
        public static partial void NodeStateReset(ILogger logger, ChitchatId nodeId, ulong maxVersion, ulong lastGcVersion);

        [LoggerMessage(EventId = 15, EventName = "SelfStateReasserted", Level = LogLevel.Warning, Message = "A peer holds version {PeerMaxVersion} of this node's state, above ours ({MaxVersion}); re-asserting ours above it")]
        public static partial void SelfStateReasserted(ILogger logger, ulong maxVersion, ulong peerMaxVersion);

        [LoggerMessage(EventId = 16, EventName = "ResetOfSelfRefused", Level = LogLevel.Warning, Message = "Refusing to reset this node's own state from a snapshot")]
        public static partial void ResetOfSelfRefused(ILogger logger);

        [LoggerMessage(EventId = 18, Level = LogLevel.Warning, Message = "Ignored {Count} new members (last from {Source}): {MemberCount} members known, at most {MaxMembers}, at most {MaxNewMembersPerSource} new per source and gossip interval")]
        public static partial void MembersIgnored(ILogger logger, int count, System.Net.IPEndPoint? source, int memberCount, int maxMembers, int maxNewMembersPerSource);

        [LoggerMessage(EventId = 1, Level = LogLevel.Warning, Message = "Received a Syn addressed to cluster {TheirClusterId}; ours is {OurClusterId} ({SuppressedCount} similar problems not logged before this one)")]
        public static partial void SynFromOtherCluster(ILogger logger, string ourClusterId, string theirClusterId, long suppressedCount);

        [LoggerMessage(EventId = 2, Level = LogLevel.Warning, Message = "Message rejected by peer: wrong cluster")]
        public static partial void RejectedByPeerWrongCluster(ILogger logger);

        [LoggerMessage(EventId = 3, Level = LogLevel.Information, Message = "Executing the catch-up callback")]
        public static partial void ExecutingCatchupCallback(ILogger logger);

        [LoggerMessage(EventId = 8, Level = LogLevel.Error, Message = "The catch-up callback threw")]
        public static partial void CatchupCallbackFailed(ILogger logger, Exception exception);

        [LoggerMessage(EventId = 9, Level = LogLevel.Error, Message = "The extra liveness predicate threw for {NodeId}; leaving it out of the live-nodes watch")]
        public static partial void ExtraLivenessPredicateFailed(ILogger logger, ChitchatId nodeId, Exception exception);

        [LoggerMessage(EventId = 4, Level = LogLevel.Error, Message = "The self node was marked dead by the failure detector; ignoring")]
        public static partial void SelfNodeGarbageCollected(ILogger logger);

        [LoggerMessage(EventId = 5, Level = LogLevel.Information, Message = "Skipping reset of {NodeId}: it was recently garbage-collected")]
        public static partial void ResetSkippedForgottenNode(ILogger logger, ChitchatId nodeId);

        [LoggerMessage(EventId = 7, Level = LogLevel.Warning, Message = "Skipping reset of {NodeId} with an obsolete state (rare race condition): node (max {MaxVersion}, gc {LastGcVersion}), snapshot (max {SnapshotMaxVersion}, gc {SnapshotLastGcVersion})")]
        public static partial void ResetSkippedObsolete(ILogger logger, ChitchatId nodeId, ulong maxVersion, ulong lastGcVersion, ulong snapshotMaxVersion, ulong snapshotLastGcVersion);
    }
}
