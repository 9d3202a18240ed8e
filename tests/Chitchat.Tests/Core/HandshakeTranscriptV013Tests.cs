using System.Net;
using Chitchat.Tests.Wire;
using Chitchat.Wire;

namespace Chitchat.Tests.Core;

/// <summary>
/// Replays the transcripts recorded between chitchat 0.13.0 state machines (vectors file
/// chitchat-0.13.0.json: <c>handshake</c> all V1, <c>handshake_v0</c> all V0, <c>handshake_mixed</c> one V1 and
/// one V0 node) with .NET state machines configured the same way: every datagram must be the same.
/// </summary>
public sealed class HandshakeTranscriptV013Tests
{
    private static ChitchatInstance Node(
        string nodeId, ulong generation, int port, string clusterId, ProtocolVersion version, params (string Key, string Value)[] initial) =>
        new(
            new ChitchatConfig(new ChitchatId(nodeId, generation, new IPEndPoint(IPAddress.Loopback, port)))
            {
                ClusterId = clusterId,
                ProtocolVersion = version,
            },
            initial.Select(kv => new KeyValuePair<string, string>(kv.Key, kv.Value)));

    private static ChitchatMessage AssertStep(string transcript, string name, ChitchatMessage? produced)
    {
        var step = Vectors.Named(Vectors.V013.Steps(transcript), name);
        produced.Should().NotBeNull(name);
        produced!.Version.Should().Be((ProtocolVersion)step.GetProperty("protocol_version").GetByte(), name);
        WireBytes.AssertSameExceptZstdFrames(Vectors.Hex(step), produced.SerializeToArray(), $"{transcript} step {name}");

        // The receiver processes what Rust sent, decoded, as the Rust transcript did.
        ChitchatMessage.TryDeserialize(Vectors.Hex(step), out var rustMessage, out _).Should().BeTrue();
        return rustMessage!;
    }

    [Theory]
    [InlineData("handshake", ProtocolVersion.V1)]
    [InlineData("handshake_v0", ProtocolVersion.V0)]
    public void Handshake_Replays013Transcript(string transcript, ProtocolVersion version)
    {
        var a = Node("node-a", 1, 10_001, "test-cluster", version, ("color", "red"), ("size", "10"));
        var b = Node("node-b", 2, 10_002, "test-cluster", version, ("role", "b"));

        var syn = AssertStep(transcript, "round1/1_syn_a_to_b", a.CreateSynMessage());
        var synAck = AssertStep(transcript, "round1/2_synack_b_to_a", b.ProcessMessage(syn));
        var ack = AssertStep(transcript, "round1/3_ack_a_to_b", a.ProcessMessage(synAck));
        b.ProcessMessage(ack).Should().BeNull();

        a.SelfNodeState.Set("color", "blue");
        a.SelfNodeState.Delete("size");
        a.SelfNodeState.SetWithTtl("session", "abc");
        b.SelfNodeState.DeleteAfterTtl("role");

        syn = AssertStep(transcript, "round2/1_syn_a_to_b", a.CreateSynMessage());
        synAck = AssertStep(transcript, "round2/2_synack_b_to_a", b.ProcessMessage(syn));
        ack = AssertStep(transcript, "round2/3_ack_a_to_b", a.ProcessMessage(synAck));
        b.ProcessMessage(ack).Should().BeNull();

        b.NodeState(a.SelfChitchatId)!.Get("color").Should().Be("blue");
        a.NodeState(b.SelfChitchatId)!.GetVersioned("role")!.Status.Should().Be(DeletionStatus.DeleteAfterTtl);

        var c = Node("node-c", 3, 10_003, "other-cluster", version);
        var foreignSyn = AssertStep(transcript, "bad_cluster/1_syn_c_to_a", c.CreateSynMessage());
        AssertStep(transcript, "bad_cluster/2_reply_a_to_c", a.ProcessMessage(foreignSyn));
    }

    [Fact]
    public void Handshake_V0Transcript_IsThe010Transcript()
    {
        var v010 = Vectors.HandshakeSteps.ToList();
        var v013 = Vectors.V013.Steps("handshake_v0").ToList();

        v013.Select(s => s.GetProperty("hex").GetString()).Should().Equal(v010.Select(s => s.GetProperty("hex").GetString()));
    }

    [Fact]
    public void Handshake_MixedVersions_EachExchangeTravelsInTheInitiatorsVersion()
    {
        const string Transcript = "handshake_mixed";
        var a = Node("node-a", 1, 10_001, "test-cluster", ProtocolVersion.V1, ("color", "red"));
        var b = Node("node-b", 2, 10_002, "test-cluster", ProtocolVersion.V0, ("role", "b"));

        var syn = AssertStep(Transcript, "a_initiates/1_syn_a_to_b", a.CreateSynMessage());
        var synAck = AssertStep(Transcript, "a_initiates/2_synack_b_to_a", b.ProcessMessage(syn));
        var ack = AssertStep(Transcript, "a_initiates/3_ack_a_to_b", a.ProcessMessage(synAck));
        b.ProcessMessage(ack).Should().BeNull();

        b.SelfNodeState.Set("role", "b2");
        syn = AssertStep(Transcript, "b_initiates/1_syn_b_to_a", b.CreateSynMessage());
        synAck = AssertStep(Transcript, "b_initiates/2_synack_a_to_b", a.ProcessMessage(syn));
        ack = AssertStep(Transcript, "b_initiates/3_ack_b_to_a", b.ProcessMessage(synAck));
        a.ProcessMessage(ack).Should().BeNull();

        a.NodeState(b.SelfChitchatId)!.Get("role").Should().Be("b2");
        b.NodeState(a.SelfChitchatId)!.Get("color").Should().Be("red");
    }
}
