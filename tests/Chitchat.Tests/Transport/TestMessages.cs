using System.Net;
using Chitchat.Transport;
using Chitchat.Wire;

namespace Chitchat.Tests.Transport;

/// <summary>Messages and helpers shared by the transport tests.</summary>
internal static class TestMessages
{
    /// <summary>The generous bound on every wait for a message that should arrive.</summary>
    public static readonly TimeSpan ReceiveTimeout = TimeSpan.FromSeconds(5);

    /// <summary>The Syn of chitchat's transport tests: cluster "cluster_id", empty digest.</summary>
    public static ChitchatMessage.Syn SampleSyn() => new("cluster_id", new Digest());

    public static IEnumerable<object[]> MessageTypeNames() =>
        [["Syn"], ["SynAck"], ["Ack"], ["BadCluster"]];

    /// <summary>A non-trivial message of each type.</summary>
    public static ChitchatMessage OfType(string name) => name switch
    {
        "Syn" => new ChitchatMessage.Syn("cluster_id", SampleDigest()),
        "SynAck" => new ChitchatMessage.SynAck(SampleDigest(), SampleDelta()),
        "Ack" => new ChitchatMessage.Ack(SampleDelta()),
        "BadCluster" => ChitchatMessage.BadCluster.Instance,
        _ => throw new ArgumentOutOfRangeException(nameof(name), name, null),
    };

    /// <summary>A SynAck whose digest alone is larger than a UDP datagram.</summary>
    public static ChitchatMessage.SynAck OversizedSynAck()
    {
        var digest = new Digest();
        var longName = new string('n', 100);
        for (var i = 0; i < 600; i++)
        {
            digest.Add(new ChitchatId($"{longName}-{i}", 1, new IPEndPoint(IPAddress.Loopback, 10_000 + i)), 5, 0, 10);
        }

        return new ChitchatMessage.SynAck(digest, Delta.Empty);
    }

    /// <summary>Receives with a bound on the wait, so a lost message fails the test instead of hanging it.</summary>
    public static async Task<ReceivedMessage> ReceiveWithTimeoutAsync(this ISocket socket)
    {
        using var timeout = new CancellationTokenSource(ReceiveTimeout);
        return await socket.ReceiveAsync(timeout.Token);
    }

    private static Digest SampleDigest()
    {
        var digest = new Digest();
        digest.Add(ChitchatId.ForLocalTest(10_001), 3, 0, 7);
        digest.Add(new ChitchatId("node-v6", 42, new IPEndPoint(IPAddress.IPv6Loopback, 10_002)), 1, 2, 9);
        return digest;
    }

    private static Delta SampleDelta() => Delta.FromNodeDeltas(
    [
        new NodeDelta(ChitchatId.ForLocalTest(10_001), 0, 0, 3,
        [
            new KeyValueMutation("key-a", "value-a", 1, DeletionStatus.Set),
            new KeyValueMutation("key-b", string.Empty, 2, DeletionStatus.Deleted),
            new KeyValueMutation("key-c", "value-c", 3, DeletionStatus.DeleteAfterTtl),
        ]),
        new NodeDelta(ChitchatId.ForLocalTest(10_002), 4, 5, 12, []),
    ]);
}
