using System.Net;
using Chitchat.Wire;

namespace Chitchat.Tests.Core;

/// <summary>
/// Replays the Syn/SynAck/Ack transcript recorded between two Rust state machines (vectors file, key
/// <c>handshake</c>) and checks that the .NET state machines produce the same datagrams, byte for byte.
/// </summary>
public sealed class HandshakeTranscriptTests
{
    private static ChitchatInstance Node(string nodeId, ulong generation, int port, string clusterId, params (string Key, string Value)[] initial) =>
        new(
            new ChitchatConfig(new ChitchatId(nodeId, generation, new IPEndPoint(IPAddress.Loopback, port))) { ClusterId = clusterId },
            initial.Select(kv => new KeyValuePair<string, string>(kv.Key, kv.Value)));

    private static void AssertStep(string name, ChitchatMessage? produced)
    {
        var step = Vectors.HandshakeSteps.Single(s => s.GetProperty("name").GetString() == name);
        produced.Should().NotBeNull(name);
        Convert.ToHexString(produced!.SerializeToArray()).ToLowerInvariant()
            .Should().Be(step.GetProperty("hex").GetString(), $"step {name} matches the Rust transcript");
    }

    [Fact]
    public void Handshake_ReplaysRustTranscript_ByteForByte()
    {
        var a = Node("node-a", 1, 10_001, "test-cluster", ("color", "red"), ("size", "10"));
        var b = Node("node-b", 2, 10_002, "test-cluster", ("role", "b"));

        var syn = a.CreateSynMessage();
        AssertStep("round1/1_syn_a_to_b", syn);
        var synAck = b.ProcessMessage(syn);
        AssertStep("round1/2_synack_b_to_a", synAck);
        var ack = a.ProcessMessage(synAck!);
        AssertStep("round1/3_ack_a_to_b", ack);
        b.ProcessMessage(ack!).Should().BeNull();

        a.SelfNodeState.Set("color", "blue");
        a.SelfNodeState.Delete("size");
        a.SelfNodeState.SetWithTtl("session", "abc");
        b.SelfNodeState.DeleteAfterTtl("role");

        syn = a.CreateSynMessage();
        AssertStep("round2/1_syn_a_to_b", syn);
        synAck = b.ProcessMessage(syn);
        AssertStep("round2/2_synack_b_to_a", synAck);
        ack = a.ProcessMessage(synAck!);
        AssertStep("round2/3_ack_a_to_b", ack);
        b.ProcessMessage(ack!).Should().BeNull();

        var bView = b.NodeState(a.SelfChitchatId)!;
        bView.Get("color").Should().Be("blue");
        bView.GetVersioned("size")!.IsDeleted.Should().BeTrue();
        bView.GetVersioned("session")!.Status.Should().Be(DeletionStatus.DeleteAfterTtl);
        a.NodeState(b.SelfChitchatId)!.GetVersioned("role")!.Status.Should().Be(DeletionStatus.DeleteAfterTtl);

        var c = Node("node-c", 3, 10_003, "other-cluster");
        var foreignSyn = c.CreateSynMessage();
        AssertStep("bad_cluster/1_syn_c_to_a", foreignSyn);
        AssertStep("bad_cluster/2_reply_a_to_c", a.ProcessMessage(foreignSyn));
    }
}
