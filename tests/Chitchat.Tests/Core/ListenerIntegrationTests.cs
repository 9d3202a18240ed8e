using Chitchat.Changes;
using Microsoft.Extensions.Time.Testing;
using static Chitchat.Tests.Core.HandshakeHelpers;

namespace Chitchat.Tests.Core;

/// <summary>Key-change events through the state machine.</summary>
public sealed class ListenerIntegrationTests
{
    [Fact]
    public void SubscribeEvent_OwnAndRemoteChanges_FireAsKeySet_DeletionsAsKeyDeleted() // TI11
    {
        var node1 = new ChitchatInstance(Config(10_001), [Kv("self1:suffix1", "hello1")]);
        var node2 = new ChitchatInstance(Config(10_002), [Kv("other:suffix", "hello")]);
        var selfCount = 0;
        var otherCount = 0;
        var events = new List<ClusterChange>();
        node1.SubscribeEvent("self1:", e =>
        {
            if (e.Kind != ClusterChangeKind.KeySet)
            {
                return; // chitchat's listeners see new values only
            }

            e.Key.Should().Be("self1:suffix1");
            e.Value.Should().Be("updated");
            selfCount++;
        }).Forever();
        node1.SubscribeEvent("other:", e =>
        {
            if (e.Kind != ClusterChangeKind.KeySet)
            {
                return; // chitchat's listeners see new values only
            }

            e.Key.Should().Be("other:suffix");
            e.Value.Should().Be("hello");
            e.Node.Should().Be(node2.SelfChitchatId);
            otherCount++;
        }).Forever();
        node1.SubscribeEvent("self2:", e =>
        {
            if (e.Kind != ClusterChangeKind.KeySet)
            {
                return; // chitchat's listeners see new values only
            }

            e.Key.Should().Be("self2:suffix2");
            e.Value.Should().Be("hello2");
            e.Node.Should().Be(node1.SelfChitchatId);
            selfCount++;
        }).Forever();
        node1.SubscribeEvent(string.Empty, events.Add).Forever();

        (selfCount, otherCount).Should().Be((0, 0));
        RunHandshake(node1, node2);
        (selfCount, otherCount).Should().Be((0, 1));
        RunHandshake(node1, node2);
        (selfCount, otherCount).Should().Be((0, 1), "a useless handshake changes nothing");

        node1.SelfNodeState.Set("self2:suffix2", "hello2");
        (selfCount, otherCount).Should().Be((0, 1), "listeners never run under the lock");
        node1.DispatchChanges();
        (selfCount, otherCount).Should().Be((1, 1), "own changes are delivered once the lock is released");
        RunHandshake(node1, node2);
        (selfCount, otherCount).Should().Be((1, 1));

        node1.SelfNodeState.Set("self1:suffix1", "updated");
        node1.DispatchChanges();
        (selfCount, otherCount).Should().Be((2, 1));

        node1.SelfNodeState.Delete("self1:suffix1");
        node2.SelfNodeState.Delete("other:suffix");
        RunHandshake(node1, node2);
        (selfCount, otherCount).Should().Be((2, 1), "deletions are not new values");
        events.Select(e => (e.Kind, e.Key)).Should().Equal(
            (ClusterChangeKind.KeySet, "other:suffix"),
            (ClusterChangeKind.KeySet, "self2:suffix2"),
            (ClusterChangeKind.KeySet, "self1:suffix1"),
            (ClusterChangeKind.KeyDeleted, "self1:suffix1"),
            (ClusterChangeKind.KeyDeleted, "other:suffix"));
        events[^1].Value.Should().Be("hello", "a deletion carries the last value");
    }

    [Fact]
    public void SubscribeEvent_RemoteDeleteAfterTtl_Fires()
    {
        var node1 = new ChitchatInstance(Config(10_001), timeProvider: new FakeTimeProvider());
        var node2 = new ChitchatInstance(Config(10_002), [Kv("k", "v")]);
        var seen = new List<ClusterChange>();
        using var handle = node1.SubscribeEvent(string.Empty, seen.Add);
        RunHandshake(node1, node2);
        node2.SelfNodeState.DeleteAfterTtl("k");
        RunHandshake(node1, node2);
        seen.Select(e => (e.Key, e.Value)).Should().Equal(("k", "v"), ("k", "v"));
    }

    [Fact]
    public void SubscribeEvent_NonAsciiKeys_DeliveredWithoutCrash()
    {
        var node1 = new ChitchatInstance(Config(10_001));
        var node2 = new ChitchatInstance(Config(10_002), [Kv("é-clé", "1"), Kv("日本:東京", "2"), Kv("\U0001F600", "3")]);
        var seen = new List<string>();
        using var handle = node1.SubscribeEvent("日本:", e => seen.Add(e.Key!));
        RunHandshake(node1, node2);
        seen.Should().Equal("日本:東京");
        node1.NodeState(node2.SelfChitchatId)!.Get("\U0001F600").Should().Be("3");
    }

    [Fact]
    public void SubscribeEvent_ThrowingListener_DoesNotBreakGossip()
    {
        var node1 = new ChitchatInstance(Config(10_001));
        var node2 = new ChitchatInstance(Config(10_002), [Kv("a", "1"), Kv("b", "2")]);
        var seen = 0;
        using var throwing = node1.SubscribeEvent(string.Empty, _ => throw new InvalidOperationException("boom"));
        using var counting = node1.SubscribeEvent(string.Empty, _ => seen++);
        RunHandshake(node1, node2);
        seen.Should().Be(2);
        AssertNodesSync(node1, node2);
    }
}
