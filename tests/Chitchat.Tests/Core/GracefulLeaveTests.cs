using Chitchat.Changes;
using Microsoft.Extensions.Time.Testing;
using static Chitchat.Tests.Core.HandshakeHelpers;

namespace Chitchat.Tests.Core;

/// <summary>
/// Graceful leave on the state machine, with a fake clock: a member that announces its departure is no longer
/// live at the next liveness evaluation, is reported as left (never dead) and forgotten after the grace period.
/// </summary>
public sealed class GracefulLeaveTests
{
    private static readonly TimeSpan s_timeout = TimeSpan.FromSeconds(10);

    [Fact]
    public async Task UpdateNodesLiveness_PeerAnnouncedLeave_LeftAtOnceNeverDeadThenForgotten()
    {
        var time = new FakeTimeProvider();
        var observerConfig = Config(10_001);
        observerConfig.FailureDetectorConfig.DeadNodeGracePeriod = TimeSpan.FromMinutes(10);
        var observer = new ChitchatInstance(observerConfig, timeProvider: time);
        var leaver = new ChitchatInstance(Config(10_002), timeProvider: time);
        var chitchat = new ChitchatRef(observer);
        await using var stream = chitchat.WatchChangesAsync().GetAsyncEnumerator();
        var first = stream.MoveNextAsync(); // subscribes now
        GossipRounds(leaver, observer, chitchat, time, 3);
        observer.LiveMembers.Current.Should().Contain(leaver.SelfChitchatId);

        new ChitchatRef(leaver).Set(ChitchatInstance.LeavingKey, "true");
        GossipRounds(leaver, observer, chitchat, time, 1);

        observer.LiveMembers.Current.Should().NotContain(leaver.SelfChitchatId, "the announcement removes it at once");
        chitchat.GetClusterState().LiveNodes.Should().NotContain(leaver.SelfChitchatId);
        chitchat.GetClusterState().DeadNodes.Should().Contain(leaver.SelfChitchatId);

        // It keeps gossiping (heartbeats) for a while, then falls silent: neither makes it live or dead again.
        GossipRounds(leaver, observer, chitchat, time, 2);
        observer.LiveMembers.Current.Should().NotContain(leaver.SelfChitchatId, "its last heartbeats do not revive it");
        time.Advance(TimeSpan.FromMinutes(1));
        chitchat.With(c => c.UpdateNodesLiveness());
        time.Advance(TimeSpan.FromMinutes(10));
        chitchat.With(c => c.UpdateNodesLiveness());
        chitchat.TryGetNodeState(leaver.SelfChitchatId, out _).Should().BeFalse("forgotten after the dead-node grace period");

        // Forgotten comes last: a "dead" at any point after the departure would show before it.
        var memberChanges = await MemberChangesOfAsync(stream, first, leaver.SelfChitchatId, until: ClusterChangeKind.MemberForgotten);
        memberChanges.SkipWhile(kind => kind != ClusterChangeKind.MemberLive).Should().Equal(
            ClusterChangeKind.MemberLive,
            ClusterChangeKind.MemberLeft,
            ClusterChangeKind.MemberForgotten);
    }

    [Fact]
    public void UpdateNodesLiveness_MemberFirstSeenLeaving_NeverLive()
    {
        var time = new FakeTimeProvider();
        var observer = new ChitchatInstance(Config(10_001), timeProvider: time);
        var leaver = new ChitchatInstance(Config(10_002), timeProvider: time);
        new ChitchatRef(leaver).Set(ChitchatInstance.LeavingKey, "true");

        GossipRounds(leaver, observer, new ChitchatRef(observer), time, 4);

        observer.LiveMembers.Current.Should().Equal(observer.SelfChitchatId);
    }

    private static void GossipRounds(ChitchatInstance from, ChitchatInstance to, ChitchatRef observer, FakeTimeProvider time, int rounds)
    {
        for (var round = 0; round < rounds; round++)
        {
            from.UpdateSelfHeartbeat();
            RunHandshake(from, to);
            time.Advance(TimeSpan.FromMilliseconds(100));
            observer.With(c => c.UpdateNodesLiveness());
        }
    }

    private static async Task<List<ClusterChangeKind>> MemberChangesOfAsync(
        IAsyncEnumerator<ClusterChange> stream, ValueTask<bool> first, ChitchatId node, ClusterChangeKind until)
    {
        var kinds = new List<ClusterChangeKind>();
        var next = first;
        while (true)
        {
            (await next.AsTask().WaitAsync(s_timeout)).Should().BeTrue();
            var change = stream.Current;
            if (change.Node == node && change.Kind is not (ClusterChangeKind.KeySet or ClusterChangeKind.KeyDeleted or ClusterChangeKind.KeyExpired))
            {
                kinds.Add(change.Kind);
            }

            if (kinds.Count > 0 && kinds[^1] == until)
            {
                break;
            }

            next = stream.MoveNextAsync();
        }

        return kinds;
    }
}
