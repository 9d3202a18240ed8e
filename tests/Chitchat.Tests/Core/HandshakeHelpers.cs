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

        // As the server does after releasing the lock: deliver the changes to listeners and streams.
        a.DispatchChanges();
        b.DispatchChanges();
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
                // A plain comparison: FluentAssertions' collection equality is far too slow for 20,000 keys.
                var expected = state.KeyValues.ToList();
                var actual = other.NodeStates[id].KeyValues.ToList();
                var firstDifference = Enumerable.Range(0, Math.Max(expected.Count, actual.Count))
                    .FirstOrDefault(i => i >= expected.Count || i >= actual.Count || !expected[i].Equals(actual[i]), -1);
                firstDifference.Should().Be(
                    -1,
                    $"{other.SelfChitchatId} and {reference.SelfChitchatId} should agree on {id} ({actual.Count} vs {expected.Count} keys)");
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
