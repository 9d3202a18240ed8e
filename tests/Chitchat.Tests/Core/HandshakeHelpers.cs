using Chitchat.Wire;

namespace Chitchat.Tests.Core;

internal static class HandshakeHelpers
{
    /// <summary>Syn from <paramref name="a"/>, SynAck from <paramref name="b"/>, Ack from a, processed by b.</summary>
    public static void RunHandshake(ChitchatInstance a, ChitchatInstance b)
    {
        var syn = a.CreateSynMessage();
        var synAck = b.ProcessMessage(RoundTrip(syn));
        synAck.Should().BeOfType<ChitchatMessage.SynAck>();
        var ack = a.ProcessMessage(RoundTrip(synAck!));
        ack.Should().BeOfType<ChitchatMessage.Ack>();
        b.ProcessMessage(RoundTrip(ack!)).Should().BeNull();
    }

    /// <summary>Encodes and decodes a message, as the network would.</summary>
    public static ChitchatMessage RoundTrip(ChitchatMessage message)
    {
        var bytes = message.SerializeToArray();
        ChitchatMessage.TryDeserialize(bytes, out var decoded, out var error).Should().BeTrue(error.ToString());
        decoded!.SerializedLength.Should().Be(bytes.Length);
        return decoded;
    }

    /// <summary>Same node ids and, for every node, the same visible key-values (Rust's assert_nodes_sync).</summary>
    public static void AssertNodesSync(params ChitchatInstance[] nodes)
    {
        var reference = nodes[0];
        foreach (var other in nodes.Skip(1))
        {
            other.NodeStates.Keys.Should().Equal(reference.NodeStates.Keys);
            foreach (var (id, state) in reference.NodeStates)
            {
                other.NodeStates[id].KeyValues.Should().Equal(state.KeyValues, $"{other.SelfChitchatId} and {reference.SelfChitchatId} agree on {id}");
            }
        }
    }

    public static ChitchatConfig Config(int port) =>
        new(ChitchatId.ForLocalTest(port))
        {
            GossipInterval = TimeSpan.FromMilliseconds(100),
            MarkedForDeletionGracePeriod = TimeSpan.FromSeconds(10_000),
        };

    public static KeyValuePair<string, string> Kv(string key, string value) => new(key, value);
}
