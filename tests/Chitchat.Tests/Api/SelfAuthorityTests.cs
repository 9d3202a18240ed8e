using Chitchat.Wire;
using static Chitchat.Tests.Core.HandshakeHelpers;

namespace Chitchat.Tests.Api;

/// <summary>Only a node writes its own state: a peer's delta or digest about it is never adopted.</summary>
public sealed class SelfAuthorityTests
{
    [Fact]
    public void ProcessMessage_ForgedDeltaAboutSelf_IsNotAdopted()
    {
        var node = new ChitchatInstance(Config(10_001), [Kv("k", "mine")]);
        var forged = Delta.FromNodeDeltas(
        [
            new NodeDelta(node.SelfChitchatId, 0, 0, 100, [new KeyValueMutation("injected", "x", 99, DeletionStatus.Set), new KeyValueMutation("k", "theirs", 100, DeletionStatus.Set)]),
        ]);

        node.ProcessMessage(new ChitchatMessage.Ack(forged)).Should().BeNull();

        var self = node.SelfNodeState.ToSnapshot();
        self.ContainsKey("injected").Should().BeFalse("a peer cannot write into the owner's state");
        self.TryGetValue("k", out var value).Should().BeTrue();
        value.Should().Be("mine");
        self.MaxVersion.Should().BeGreaterThan(100, "the owner re-asserts its state above the forged version");
    }

    [Fact]
    public void Handshake_PeerHoldsNewerVersionOfRestartedNode_OwnerStateWinsEverywhere()
    {
        var config = Config(10_001);
        var before = new ChitchatInstance(config, [Kv("old", "stale"), Kv("k", "old")]);
        for (var i = 0; i < 50; i++)
        {
            before.SelfNodeState.Set("k", $"old-{i}");
        }

        var peer = new ChitchatInstance(Config(10_002));
        RunHandshake(peer, before);
        peer.NodeState(before.SelfChitchatId)!.MaxVersion.Should().Be(52);

        // The node restarts with the same id and loses its state: the peer now holds a newer version of it.
        var restarted = new ChitchatInstance(config, [Kv("k", "new")]);
        for (var i = 0; i < 3; i++)
        {
            RunHandshake(restarted, peer);
            RunHandshake(peer, restarted);
        }

        var self = restarted.SelfNodeState.ToSnapshot();
        self.GetKeyValues().Select(kv => (kv.Key, kv.Value.Value)).Should().Equal(("k", "new"));
        self.MaxVersion.Should().BeGreaterThan(52);
        var replica = peer.NodeState(restarted.SelfChitchatId)!.ToSnapshot();
        replica.GetKeyValues().Select(kv => (kv.Key, kv.Value.Value)).Should().Equal([("k", "new")], "the peer reset its replica to the owner's state");
        replica.MaxVersion.Should().Be(self.MaxVersion);
    }

    [Fact]
    public void ProcessMessage_DigestWithHigherHeartbeatForSelf_OwnHeartbeatOvertakesIt()
    {
        var node = new ChitchatInstance(Config(10_001));
        var digest = new Digest();
        digest.Add(node.SelfChitchatId, 1_000, 0, 0);

        node.ProcessMessage(new ChitchatMessage.Syn(node.ClusterId, digest));

        node.SelfNodeState.Heartbeat.Should().BeGreaterThan(1_000);
    }

    [Fact]
    public void TryResetNodeState_OwnId_IsRefused()
    {
        var node = new ChitchatInstance(Config(10_001), [Kv("k", "mine")]);
        var chitchat = new ChitchatRef(node);

        chitchat.TryResetNodeState(node.SelfChitchatId, [new("k", new VersionedValue("theirs", 10, DeletionStatus.Set))], 10, 0)
            .Should().BeFalse();

        chitchat.GetSelfNodeState().TryGetValue("k", out var value).Should().BeTrue();
        value.Should().Be("mine");
    }
}
