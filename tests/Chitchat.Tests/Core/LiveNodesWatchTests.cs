using System.Collections.Immutable;
using Chitchat.State;
using Microsoft.Extensions.Time.Testing;
using static Chitchat.Tests.Core.HandshakeHelpers;

namespace Chitchat.Tests.Core;

/// <summary>The live-members watch: it publishes only when the set of live members changes.</summary>
public sealed class LiveNodesWatchTests
{
    private static (ChitchatInstance Node, ChitchatId Peer) NodeWithLivePeer(FakeTimeProvider time, Func<NodeStateSnapshot, bool>? predicate = null)
    {
        var config = Config(10_001);
        config.ExtraLivenessPredicate = predicate;
        var node = new ChitchatInstance(config, timeProvider: time);
        var peer = ChitchatId.ForLocalTest(10_002);
        for (ulong heartbeat = 1; heartbeat <= 3; heartbeat++)
        {
            node.ReportHeartbeat(peer, heartbeat);
            time.Advance(TimeSpan.FromMilliseconds(100));
        }

        return (node, peer);
    }

    [Fact]
    public void UpdateNodesLiveness_PublishesOnMembershipChangesOnly()
    {
        var time = new FakeTimeProvider();
        var (node, peer) = NodeWithLivePeer(time);
        node.LiveMembers.Current.Should().BeEmpty("nothing is published before the first liveness update");
        node.LiveMembers.Version.Should().Be(0);

        node.UpdateNodesLiveness();
        node.LiveMembers.Current.Should().Equal(node.SelfChitchatId, peer);
        node.LiveMembers.Version.Should().Be(1);

        node.ReportHeartbeat(peer, 4);
        node.UpdateSelfHeartbeat();
        node.UpdateNodesLiveness();
        node.LiveMembers.Version.Should().Be(1, "heartbeat-only changes never publish");

        node.SelfNodeState.Set("k", "v");
        node.UpdateNodesLiveness();
        node.LiveMembers.Version.Should().Be(1, "a key-value change is not a membership change");

        time.Advance(TimeSpan.FromMinutes(5));
        node.UpdateNodesLiveness();
        node.LiveMembers.Current.Should().Equal(node.SelfChitchatId);
        node.LiveMembers.Version.Should().Be(2);
    }

    [Fact]
    public void ExtraLivenessPredicate_FiltersWatchButNotLiveNodes()
    {
        var time = new FakeTimeProvider();
        var (node, peer) = NodeWithLivePeer(time, state => state.TryGetValue("READY", out var ready) && ready == "true");
        node.UpdateNodesLiveness();
        node.LiveNodes.Should().Equal(node.SelfChitchatId, peer);
        node.LiveMembers.Current.Should().BeEmpty("even self is filtered by the predicate");

        node.SelfNodeState.Set("READY", "true");
        node.UpdateNodesLiveness();
        node.LiveMembers.Current.Should().Equal(node.SelfChitchatId);
    }

    [Fact]
    public void LiveMembers_Value_IsAnImmutableSetOfIds()
    {
        var time = new FakeTimeProvider();
        var (node, peer) = NodeWithLivePeer(time);
        node.UpdateNodesLiveness();

        // The published value holds ids only (no mutable node state) and cannot be changed by its reader.
        var published = node.LiveMembers.Current;
        published.Should().NotBeAssignableTo<ICollection<ChitchatId>>().And.NotBeAssignableTo<ISet<ChitchatId>>();
        published.Should().Equal(node.SelfChitchatId, peer);
    }

    [Fact]
    public void ExtraLivenessPredicate_Throwing_LeavesNodeOutWithoutFailing()
    {
        var time = new FakeTimeProvider();
        var (node, peer) = NodeWithLivePeer(time, state => state.ChitchatId.GossipAdvertiseAddr.Port == 10_002 ? throw new InvalidOperationException("boom") : true);
        node.UpdateNodesLiveness();
        node.LiveNodes.Should().Contain(peer);
        node.LiveMembers.Current.Should().Equal(node.SelfChitchatId);
    }

    [Fact]
    public async Task WatchAsync_SlowConsumer_SeesLatestValueAndNeverBlocksPublisher()
    {
        var watch = new LiveMembersWatch();
        var ids = Enumerable.Range(1, 1_000).Select(ChitchatId.ForLocalTest).ToArray();
        await using var enumerator = watch.WatchAsync().GetAsyncEnumerator();
        (await enumerator.MoveNextAsync()).Should().BeTrue();
        enumerator.Current.Should().BeEmpty();

        // The consumer does not read while 1,000 values are published: publishing must not wait for it.
        foreach (var id in ids)
        {
            watch.Publish(ImmutableSortedSet.Create(id));
        }

        watch.Version.Should().Be(1_000);
        (await enumerator.MoveNextAsync()).Should().BeTrue();
        enumerator.Current.Should().Equal(ids[^1]);

        var next = enumerator.MoveNextAsync();
        next.IsCompleted.Should().BeFalse("no new value yet");
        watch.Publish(ImmutableSortedSet.Create(ids[0]));
        (await next).Should().BeTrue();
        enumerator.Current.Should().Equal(ids[0]);

        var afterComplete = enumerator.MoveNextAsync();
        watch.Complete();
        (await afterComplete).Should().BeFalse("the stream ends when the node shuts down");
    }

    [Fact]
    public async Task WaitForAsync_ReturnsFirstMatchingValue()
    {
        var watch = new LiveMembersWatch();
        var id = ChitchatId.ForLocalTest(1);
        var wait = watch.WaitForAsync(v => v.Count == 1);
        wait.IsCompleted.Should().BeFalse();
        watch.Publish(ImmutableSortedSet.Create(id));
        (await wait).Should().Equal(id);

        using var cts = new CancellationTokenSource();
        var cancelled = watch.WaitForAsync(v => v.Count == 5, cts.Token);
        await cts.CancelAsync();
        await FluentActions.Awaiting(() => cancelled).Should().ThrowAsync<OperationCanceledException>();
    }
}
