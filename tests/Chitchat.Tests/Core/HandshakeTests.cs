using System.Net;
using Chitchat.Wire;
using Microsoft.Extensions.Time.Testing;
using static Chitchat.Tests.Core.HandshakeHelpers;

namespace Chitchat.Tests.Core;

/// <summary>The Scuttlebutt handshake between state machines.</summary>
public sealed class HandshakeTests
{
    [Fact]
    public void Handshake_TwoNodes_Sync() // TI1
    {
        var node1 = new ChitchatInstance(Config(10_001), [Kv("key1a", "1"), Kv("key2a", "2")]);
        var node2 = new ChitchatInstance(Config(10_002), [Kv("key1b", "1"), Kv("key2b", "2")]);
        RunHandshake(node1, node2);
        AssertNodesSync(node1, node2);
        node2.NodeState(node1.SelfChitchatId)!.Get("key2a").Should().Be("2");

        RunHandshake(node1, node2); // useless
        AssertNodesSync(node1, node2);

        node1.SelfNodeState.Set("key1a", "3");
        node1.SelfNodeState.Set("key1c", "4");
        RunHandshake(node1, node2);
        AssertNodesSync(node1, node2);
        node2.NodeState(node1.SelfChitchatId)!.Get("key1a").Should().Be("3");
        node2.NodeState(node1.SelfChitchatId)!.Get("key1c").Should().Be("4");
    }

    [Fact]
    public void Handshake_GcBeyondPeer_PeerResetsAndCatchesUp() // TI3
    {
        var time = new FakeTimeProvider();
        var node1 = new ChitchatInstance(Config(10_001), timeProvider: time);
        var node2 = new ChitchatInstance(Config(10_002), timeProvider: time);
        for (var i = 0; i < 20_000; i++)
        {
            node1.SelfNodeState.Set($"k{i}", "first_value");
        }

        RunHandshake(node1, node2);
        RunHandshake(node1, node2);
        AssertNodesSync(node1, node2);

        node1.SelfNodeState.Delete("k1");
        time.Advance(TimeSpan.FromHours(3));
        node1.GcKeysMarkedForDeletion();
        node1.SelfNodeState.LastGcVersion.Should().Be(20_001);

        // Two handshakes carry every visible key-value again (a reset, possibly truncated, then the rest),
        // as in the Rust test; a third one lets the replica catch up on the max version of the GC'ed tombstone.
        RunHandshake(node1, node2);
        RunHandshake(node1, node2);
        AssertNodesSync(node1, node2);
        node2.NodeState(node1.SelfChitchatId)!.GetVersioned("k1").Should().BeNull();
        node2.NodeState(node1.SelfChitchatId)!.LastGcVersion.Should().Be(20_001);

        RunHandshake(node1, node2);
        node2.NodeState(node1.SelfChitchatId)!.MaxVersion.Should().Be(20_001);
    }

    [Fact]
    public void ProcessDelta_ResetTriggersCatchupCallbackOnce() // TI12
    {
        var calls = 0;
        var config = Config(10_001);
        config.CatchupCallback = () => calls++;
        var node = new ChitchatInstance(config);
        var peer = ChitchatId.ForLocalTest(10_002);
        var digest = new Digest();
        digest.Add(peer, 0, 10, 30);
        node.ProcessMessage(new ChitchatMessage.Syn(config.ClusterId, digest)).Should().BeOfType<ChitchatMessage.SynAck>();
        node.NodeState(peer).Should().NotBeNull();

        node.ProcessDelta(Delta.Empty);
        calls.Should().Be(0);

        node.ProcessDelta(Delta.FromNodeDeltas([new NodeDelta(peer, 1_000, 0, 1, [new KeyValueMutation("key", "value", 1, DeletionStatus.Set)])]));
        calls.Should().Be(0, "the callback never runs under the lock");
        node.DispatchChanges();
        calls.Should().Be(1);
        node.DispatchChanges();
        calls.Should().Be(1, "once per reset delta");
    }

    [Fact]
    public void ProcessMessage_ThrowingCatchupCallback_StillReplies()
    {
        var config = Config(10_001);
        config.CatchupCallback = () => throw new InvalidOperationException("boom");
        var node = new ChitchatInstance(config);
        var peer = ChitchatId.ForLocalTest(10_002);
        var digest = new Digest();
        digest.Add(peer, 0, 10, 30);
        var delta = Delta.FromNodeDeltas([new NodeDelta(peer, 1_000, 0, 1, [new KeyValueMutation("key", "value", 1, DeletionStatus.Set)])]);
        node.ProcessMessage(new ChitchatMessage.SynAck(digest, delta)).Should().BeOfType<ChitchatMessage.Ack>();
        node.Invoking(n => n.DispatchChanges()).Should().NotThrow();
        node.NodeState(peer)!.Get("key").Should().Be("value");
    }

    [Fact]
    public void ProcessMessage_WrongCluster_RepliesBadCluster()
    {
        var node = new ChitchatInstance(Config(10_001));
        var heartbeat = node.SelfNodeState.Heartbeat;
        node.ProcessMessage(new ChitchatMessage.Syn("another-cluster", new Digest())).Should().BeSameAs(ChitchatMessage.BadCluster.Instance);
        node.SelfNodeState.Heartbeat.Should().Be(heartbeat + 1, "every decoded message bumps the heartbeat");
        node.NodeStates.Should().ContainSingle();
        node.ProcessMessage(ChitchatMessage.BadCluster.Instance).Should().BeNull();
    }

    [Fact]
    public void ProcessSyn_LargeOwnDigest_DeltaBudgetUsesOwnDigest() // TI15
    {
        var node = new ChitchatInstance(Config(10_006), random: new Random(3));
        var ids = Enumerable.Range(0, 55)
            .Select(i => new ChitchatId(new string('a', 1_000), (ulong)i, new IPEndPoint(IPAddress.Loopback, 10_000 + i)))
            .ToList();
        var digest = new Digest();
        foreach (var id in ids)
        {
            digest.Add(id, 1, 0, 0);
        }

        node.ReportHeartbeatsInDigest(digest);
        var random = new Random(42);
        const string Alphabet = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";
        var delta = Delta.FromNodeDeltas(ids
            .Select(id => new NodeDelta(id, 0, 0, 1, [new KeyValueMutation("key", new string(Enumerable.Range(0, 1_000).Select(_ => Alphabet[random.Next(Alphabet.Length)]).ToArray()), 1, DeletionStatus.Set)]))
            .ToList());
        node.ProcessDelta(delta);

        var synAck = node.ProcessMessage(new ChitchatMessage.Syn(node.ClusterId, new Digest())).Should().BeOfType<ChitchatMessage.SynAck>().Subject;
        synAck.SerializedLength.Should().BeLessThan(65_507);
        synAck.Delta.NodeDeltas.Should().HaveCount(4);
        synAck.Delta.NodeDeltas[3].KeyValues.Should().BeEmpty("the fourth node op fits but not its key");
    }
}
