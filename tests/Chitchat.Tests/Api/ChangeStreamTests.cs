using Chitchat.Changes;
using Chitchat.Testing;
using Microsoft.Extensions.Time.Testing;
using static Chitchat.Tests.Core.HandshakeHelpers;

namespace Chitchat.Tests.Api;

/// <summary>The ordered change stream and the prefix listeners, delivered outside the lock.</summary>
public sealed class ChangeStreamTests
{
    private static readonly TimeSpan s_timeout = TimeSpan.FromSeconds(10);

    [Fact]
    public void SubscribeKeyChanges_ListenerWritesItsOwnKey_RunsOutsideTheLockInOrderWithoutReentrancy()
    {
        var node = new ChitchatInstance(Config(10_001));
        var chitchat = new ChitchatRef(node);
        var depth = 0;
        var maxDepth = 0;
        var seen = new List<string>();
        using var handle = chitchat.SubscribeKeyChanges(string.Empty, change =>
        {
            node.Gate.IsHeldByCurrentThread.Should().BeFalse("listeners never run under the node's lock");
            maxDepth = Math.Max(maxDepth, ++depth);
            seen.Add($"{change.Key}={change.Value}");
            if (change.Key == "a")
            {
                chitchat.Set("b", "from-listener");
                seen.Add("after-set");
            }

            depth--;
        });

        chitchat.Set("a", "1");

        maxDepth.Should().Be(1, "a listener is never re-entered");
        seen.Should().Equal("a=1", "after-set", "b=from-listener");
    }

    [Fact]
    public async Task WatchChangesAsync_KeysAndMembers_DeliveredInOrder()
    {
        var time = new FakeTimeProvider();
        var config = Config(10_001);
        config.MarkedForDeletionGracePeriod = TimeSpan.FromSeconds(60);
        config.FailureDetectorConfig.DeadNodeGracePeriod = TimeSpan.FromMinutes(10);
        var node = new ChitchatInstance(config, timeProvider: time);
        var chitchat = new ChitchatRef(node);
        var peer = ChitchatId.ForLocalTest(10_002);
        await using var stream = chitchat.WatchChangesAsync().GetAsyncEnumerator();
        var first = stream.MoveNextAsync();

        chitchat.Set("k", "v");
        chitchat.Delete("k");
        chitchat.SetWithTtl("t", "ttl");
        for (ulong heartbeat = 1; heartbeat <= 3; heartbeat++)
        {
            chitchat.With(c => c.ReportHeartbeat(peer, heartbeat));
            time.Advance(TimeSpan.FromMilliseconds(500));
        }

        chitchat.With(c => c.UpdateNodesLiveness());
        time.Advance(TimeSpan.FromSeconds(61));
        chitchat.With(c => c.GcKeysMarkedForDeletion());
        chitchat.With(c => c.UpdateNodesLiveness());
        time.Advance(TimeSpan.FromMinutes(6));
        chitchat.With(c => c.UpdateNodesLiveness());
        time.Advance(TimeSpan.FromMinutes(5));
        chitchat.With(c => c.UpdateNodesLiveness());

        var changes = new List<ClusterChange>();
        (await first.AsTask().WaitAsync(s_timeout)).Should().BeTrue();
        changes.Add(stream.Current);
        while (changes.Count < 9)
        {
            (await stream.MoveNextAsync().AsTask().WaitAsync(s_timeout)).Should().BeTrue();
            changes.Add(stream.Current);
        }

        changes.Select(c => (c.Kind, c.Node, c.Key)).Should().Equal(
            (ClusterChangeKind.KeySet, node.SelfChitchatId, "k"),
            (ClusterChangeKind.KeyDeleted, node.SelfChitchatId, "k"),
            (ClusterChangeKind.KeySet, node.SelfChitchatId, "t"),
            (ClusterChangeKind.MemberJoined, peer, null),
            (ClusterChangeKind.MemberLive, peer, null),
            (ClusterChangeKind.KeyExpired, node.SelfChitchatId, "t"),
            (ClusterChangeKind.MemberDead, peer, null),
            (ClusterChangeKind.MemberLeft, peer, null),
            (ClusterChangeKind.MemberForgotten, peer, null));
        changes[1].Version.Should().Be(2);
        changes[5].Value.Should().Be("ttl");
    }

    [Fact]
    public async Task WatchChangesAsync_ConcurrentWriters_SeeEveryWriteInVersionOrder()
    {
        var chitchat = new ChitchatRef(new ChitchatInstance(Config(10_001)));
        const int Writers = 4, PerWriter = 250;
        var received = new List<ClusterChange>();
        await using var stream = chitchat.WatchChangesAsync(capacity: 2 * Writers * PerWriter).GetAsyncEnumerator();
        var first = stream.MoveNextAsync();

        await Task.WhenAll(Enumerable.Range(0, Writers).Select(writer => Task.Run(() =>
        {
            for (var i = 0; i < PerWriter; i++)
            {
                chitchat.Set($"w{writer}", i.ToString(System.Globalization.CultureInfo.InvariantCulture));
                if (i % 10 == 9)
                {
                    chitchat.Delete($"w{writer}");
                }
            }
        })));

        (await first.AsTask().WaitAsync(s_timeout)).Should().BeTrue();
        received.Add(stream.Current);
        var expected = chitchat.GetSelfNodeState().MaxVersion;
        while (received[^1].Version < expected)
        {
            (await stream.MoveNextAsync().AsTask().WaitAsync(s_timeout)).Should().BeTrue();
            received.Add(stream.Current);
        }

        received.Should().OnlyContain(c => c.Kind == ClusterChangeKind.KeySet || c.Kind == ClusterChangeKind.KeyDeleted);
        received.Select(c => c.Version).Should().BeInAscendingOrder().And.OnlyHaveUniqueItems();
        received.Should().HaveCount((int)expected, "every version is one change, none lost, none duplicated");
        foreach (var writer in Enumerable.Range(0, Writers))
        {
            received.Where(c => c.Key == $"w{writer}" && c.Kind == ClusterChangeKind.KeySet).Select(c => int.Parse(c.Value!, System.Globalization.CultureInfo.InvariantCulture))
                .Should().Equal(Enumerable.Range(0, PerWriter), "each writer's changes keep their order");
        }
    }

    [Fact]
    public async Task WatchChangesAsync_ReaderFallsBehind_DropsAndReportsOverflowInPlace()
    {
        var chitchat = new ChitchatRef(new ChitchatInstance(Config(10_001)));
        await using var stream = chitchat.WatchChangesAsync(capacity: 2).GetAsyncEnumerator();
        var first = stream.MoveNextAsync();
        chitchat.Set("k", "v1");
        (await first.AsTask().WaitAsync(s_timeout)).Should().BeTrue();
        var changes = new List<ClusterChange> { stream.Current };

        // No read is pending now: five changes arrive for a queue of two.
        for (var i = 2; i <= 6; i++)
        {
            chitchat.Set("k", $"v{i}");
        }

        for (var i = 0; i < 3; i++)
        {
            (await stream.MoveNextAsync().AsTask().WaitAsync(s_timeout)).Should().BeTrue();
            changes.Add(stream.Current);
        }

        chitchat.Set("k", "v7");
        (await stream.MoveNextAsync().AsTask().WaitAsync(s_timeout)).Should().BeTrue();
        changes.Add(stream.Current);

        changes.Select(c => (c.Kind, c.Value, c.DroppedCount)).Should().Equal(
            (ClusterChangeKind.KeySet, "v1", 0L),
            (ClusterChangeKind.KeySet, "v2", 0L),
            (ClusterChangeKind.KeySet, "v3", 0L),
            (ClusterChangeKind.Overflow, null, 3L),
            (ClusterChangeKind.KeySet, "v7", 0L));
    }

    [Fact]
    public async Task WatchChangesAsync_NodeStops_StreamEnds()
    {
        var transport = new InMemoryTransport();
        var handle = await ChitchatServer.SpawnChitchatAsync(ChitchatConfig.ForTest(7100), transport);
        await using var stream = handle.Chitchat.WatchChangesAsync().GetAsyncEnumerator();
        var next = stream.MoveNextAsync();

        await handle.ShutdownAsync();

        (await next.AsTask().WaitAsync(s_timeout)).Should().BeFalse();
    }
}
