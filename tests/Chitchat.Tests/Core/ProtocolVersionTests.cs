using Chitchat.Wire;
using static Chitchat.Tests.Core.HandshakeHelpers;

namespace Chitchat.Tests.Core;

/// <summary>
/// What the protocol version changes in the state machine: replies in the version they answer, budgets that
/// never overflow the datagram in that version, and digests that are sent partially instead of not at all.
/// </summary>
public sealed class ProtocolVersionTests
{
    private const int MaxDatagram = 65_507;

    private static ChitchatInstance Node(int port, ProtocolVersion version)
    {
        var config = Config(port);
        config.ProtocolVersion = version;
        return new ChitchatInstance(config, random: new Random(port));
    }

    private static void Learn(ChitchatInstance node, IEnumerable<ChitchatId> members)
    {
        // Heartbeats as spread out as in a long-running cluster: they are most of what a V1 digest cannot compress.
        var random = new Random(3);
        var digest = new Digest();
        foreach (var id in members)
        {
            digest.Add(id, (ulong)random.Next(1, 5_000_000), 0, 0);
        }

        node.ReportHeartbeatsInDigest(digest);
    }

    private static string RandomText(Random random, int length) =>
        new(random.GetItems("abcdefghijklmnopqrstuvwxyz0123456789".AsSpan(), length));

    [Theory]
    [InlineData(ProtocolVersion.V0, ProtocolVersion.V0)]
    [InlineData(ProtocolVersion.V0, ProtocolVersion.V1)]
    [InlineData(ProtocolVersion.V1, ProtocolVersion.V0)]
    [InlineData(ProtocolVersion.V1, ProtocolVersion.V1)]
    public void ProcessMessage_AnyConfiguration_RepliesInTheVersionOfWhatItAnswers(ProtocolVersion configured, ProtocolVersion incoming)
    {
        var responder = Node(10_001, configured);
        var initiator = Node(10_002, configured == ProtocolVersion.V0 ? ProtocolVersion.V1 : ProtocolVersion.V0);

        var synAck = responder.ProcessMessage(initiator.CreateSynMessage(incoming))!;
        var ack = initiator.ProcessMessage(synAck)!;
        var badCluster = responder.ProcessMessage(new ChitchatMessage.Syn("another-cluster", new Digest(), incoming))!;

        synAck.Should().BeOfType<ChitchatMessage.SynAck>().Which.Version.Should().Be(incoming);
        ack.Should().BeOfType<ChitchatMessage.Ack>().Which.Version.Should().Be(incoming);
        badCluster.Should().BeOfType<ChitchatMessage.BadCluster>().Which.Version.Should().Be(incoming);
        responder.NodeState(initiator.SelfChitchatId).Should().NotBeNull("a message of either version is processed the same way");
    }

    [Theory]
    [InlineData(ProtocolVersion.V0)]
    [InlineData(ProtocolVersion.V1)]
    public void ProcessSyn_V1ResponderWithLargeState_ReplyFitsTheDatagramInTheSynsVersion(ProtocolVersion synVersion)
    {
        // The case where Rust 0.13 sends a 78,510-byte SynAck to a V0 Syn (budget from the small V1 digest, reply in
        // V0) that UDP cannot carry: 400 other members and 1,500 keys of 120 random characters.
        var responder = Node(10_001, ProtocolVersion.V1);
        Learn(responder, TestIds.Realistic(400));
        var random = new Random(5);
        for (var i = 0; i < 1_500; i++)
        {
            responder.SelfNodeState.Set($"key-{i:D4}", RandomText(random, 120));
        }

        var probe = Node(10_002, synVersion);
        var synAck = (ChitchatMessage.SynAck)responder.ProcessMessage(probe.CreateSynMessage())!;

        synAck.Version.Should().Be(synVersion);
        synAck.Digest.Count.Should().Be(402, "the whole digest fits");
        synAck.SerializedLength.Should().BeLessThanOrEqualTo(MaxDatagram);
        synAck.Delta.SerializedLength.Should().BeLessThanOrEqualTo(65_503 - synAck.Digest.GetSerializedLength(synVersion));
        synAck.Delta.NodeDeltas.Sum(d => d.KeyValues.Count).Should().BeInRange(1, 1_499, "the state is cut at the budget");
    }

    [Theory]
    [InlineData(ProtocolVersion.V0, 1_000)]
    [InlineData(ProtocolVersion.V0, 2_000)]
    [InlineData(ProtocolVersion.V1, 8_000)]
    public void CreateSyn_DigestLargerThanADatagram_PartialDigestsFitAndRotateOverEveryMember(ProtocolVersion version, int members)
    {
        // Rust cannot send this Syn at all (V0 from about 940 members): the node would fall silent.
        var node = Node(10_001, version);
        var ids = TestIds.Realistic(members);
        Learn(node, ids);
        var full = node.ClusterState.ComputeDigest(new HashSet<ChitchatId>());
        full.GetSerializedLength(version).Should().BeGreaterThan(MaxDatagram, "the test needs a digest that does not fit");

        var seen = new HashSet<ChitchatId>();
        var rounds = 0;
        while (seen.Count < members && rounds < 20)
        {
            var syn = node.CreateSynMessage();
            syn.Version.Should().Be(version);
            syn.SerializedLength.Should().BeLessThanOrEqualTo(MaxDatagram);
            syn.Digest.TryGetValue(node.SelfChitchatId, out _).Should().BeTrue("the own node is always in the digest");
            var bytes = syn.SerializeToArray();
            ChitchatMessage.TryDeserialize(bytes, out var decoded, out _).Should().BeTrue();
            decoded.Should().Be(syn);
            seen.UnionWith(syn.Digest.NodeDigests.Keys);
            rounds++;
        }

        seen.Should().HaveCount(members + 1, "every member's heartbeat is carried by some partial digest");
        rounds.Should().BeLessThanOrEqualTo((int)Math.Ceiling((double)full.GetSerializedLength(version) / (MaxDatagram / 2)) + 1);
    }

    [Theory]
    [InlineData(ProtocolVersion.V0)]
    [InlineData(ProtocolVersion.V1)]
    public void ProcessSyn_OwnDigestTooLargeForAnyDelta_SendsPartialDigestAndADelta(ProtocolVersion version)
    {
        // Rust panics here ("mtu >= 100") and its server dies: the own digest leaves less than 100 bytes.
        var responder = Node(10_001, version);
        var ids = TestIds.Realistic(version == ProtocolVersion.V0 ? 1_001 : 8_000);
        Learn(responder, ids);
        responder.SelfNodeState.Set("role", "indexer");
        var full = responder.ClusterState.ComputeDigest(new HashSet<ChitchatId>());
        (MaxDatagram - 4 - full.GetSerializedLength(version)).Should().BeLessThan(100, "the test needs a digest that leaves no delta");

        var initiator = Node(10_002, version);
        var synAck = (ChitchatMessage.SynAck)responder.ProcessMessage(initiator.CreateSynMessage(version))!;

        synAck.SerializedLength.Should().BeLessThanOrEqualTo(MaxDatagram);
        synAck.Digest.TryGetValue(responder.SelfChitchatId, out _).Should().BeTrue();
        (MaxDatagram - 4 - synAck.Digest.GetSerializedLength(version)).Should().BeGreaterThanOrEqualTo(ChitchatInstance.PartialSynAckDeltaBudget);
        synAck.Delta.NodeDeltas.Should().Contain(d => d.ChitchatId.Equals(responder.SelfChitchatId), "the budget carries the own state");
    }

    [Fact]
    public void ProcessSynAck_AckBudgetIs65503()
    {
        // 1,000 members of 4 keys of 60 characters, all unknown to the peer: the Ack is cut at 65,503 bytes of delta.
        var node = Node(10_001, ProtocolVersion.V1);
        var ids = TestIds.Realistic(1_000);
        Learn(node, ids);
        var random = new Random(9);
        var nodeDeltas = ids.Select(id => new NodeDelta(id, 0, 0, 4, [.. Enumerable.Range(1, 4).Select(v =>
            new KeyValueMutation($"shard-{v}", RandomText(random, 60), (ulong)v, DeletionStatus.Set))])).ToList();
        node.ProcessDelta(Delta.FromNodeDeltas(nodeDeltas));
        var peer = Node(10_002, ProtocolVersion.V1);
        var synAck = (ChitchatMessage.SynAck)peer.ProcessMessage(node.CreateSynMessage())!;

        var ack = (ChitchatMessage.Ack)node.ProcessMessage(synAck)!;

        ack.Delta.SerializedLength.Should().BeLessThanOrEqualTo(65_503);
        ack.Delta.NodeDeltas.Count.Should().BeInRange(1, 999, "the deltas of 1,000 members do not fit one Ack");
        ack.SerializedLength.Should().BeLessThanOrEqualTo(MaxDatagram);
    }

    [Theory]
    [InlineData(ProtocolVersion.V0, 7)]
    [InlineData(ProtocolVersion.V1, 7)]
    [InlineData(ProtocolVersion.V0, 60)]
    [InlineData(ProtocolVersion.V1, 300)]
    [InlineData(ProtocolVersion.V0, 5_000)]
    public void ProcessMessage_ReplyLengthBound_IsNeverExceeded(ProtocolVersion version, int maxReplyLength)
    {
        var node = Node(10_001, version);
        Learn(node, TestIds.Realistic(200));
        var random = new Random(1);
        for (var i = 0; i < 300; i++)
        {
            node.SelfNodeState.Set($"key-{i}", RandomText(random, 50));
        }

        var peer = Node(10_002, version);
        var synAck = node.ProcessMessage(peer.CreateSynMessage(version), maxReplyLength)!;
        var ack = node.ProcessMessage(new ChitchatMessage.SynAck(new Digest(), Delta.Empty, version), maxReplyLength)!;

        synAck.SerializedLength.Should().BeLessThanOrEqualTo(maxReplyLength);
        ack.SerializedLength.Should().BeLessThanOrEqualTo(maxReplyLength);
        if (maxReplyLength >= 60)
        {
            ((ChitchatMessage.SynAck)synAck).Digest.TryGetValue(node.SelfChitchatId, out _).Should().BeTrue("the own entry comes first");
        }
    }
}
