using Chitchat.Wire;

namespace Chitchat.Fuzz;

/// <summary>
/// The fuzz targets. Each one takes one datagram and throws <see cref="FuzzInvariantException"/> (a crash for
/// the fuzzer) when an invariant breaks; any other exception escaping is a crash too.
/// </summary>
internal static class FuzzTargets
{
    /// <summary>
    /// The most a datagram may add to a node's state, as <see cref="StateBytes"/> counts it. A datagram decompresses
    /// to at most <see cref="MessageCodec.MaxDecompressedLength"/> bytes; a key-value costs at most 2 bytes more than
    /// its 14-byte-plus-strings operation (8/7 of it), and new members (64 bytes and their id) are at most 1,000 per
    /// source: twice the cap leaves room for both.
    /// </summary>
    private const long MaxStateGrowthPerDatagram = 2L * MessageCodec.MaxDecompressedLength;

    /// <summary>The target names, as given on the command line.</summary>
    public static readonly IReadOnlyList<string> Names = ["decode", "process", "envelope"];

    public static Action<ReadOnlyMemory<byte>> Get(string name) => name switch
    {
        "decode" => datagram => Decode(datagram.Span),
        "process" => datagram => Process(datagram.Span),
        "envelope" => datagram => EnvelopeTarget.Run(datagram.Span),
        _ => throw new ArgumentException($"unknown fuzz target '{name}' (expected one of: {string.Join(", ", Names)})", nameof(name)),
    };

    /// <summary>
    /// Decodes a V0 or V1 datagram. A decoded message must re-encode, and decode again to an equal message.
    /// </summary>
    public static void Decode(ReadOnlySpan<byte> datagram)
    {
        if (!ChitchatMessage.TryDeserialize(datagram, out var message, out _))
        {
            return;
        }

        var encoded = message.SerializeToArray();
        if (encoded.Length != message.SerializedLength)
        {
            throw new FuzzInvariantException($"{message.Type}: SerializedLength {message.SerializedLength} but {encoded.Length} bytes written");
        }

        if (!ChitchatMessage.TryDeserialize(encoded, out var again, out var error))
        {
            throw new FuzzInvariantException($"{message.Type}: a decoded message re-encodes to bytes that do not decode ({error})");
        }

        if (!again.Equals(message))
        {
            throw new FuzzInvariantException($"{message.Type}: decode(encode(message)) differs from the message");
        }
    }

    /// <summary>
    /// Decodes a datagram and processes it on a small pre-populated node. Processing must not throw, the
    /// reply must fit a datagram, and the node's state must not grow by more than the datagram can carry.
    /// </summary>
    public static void Process(ReadOnlySpan<byte> datagram)
    {
        if (!ChitchatMessage.TryDeserialize(datagram, out var message, out _))
        {
            return;
        }

        var node = SmallCluster.CreateTarget();
        var before = StateBytes(node);
        var reply = node.ProcessMessage(message);
        if (reply is not null && reply.SerializedLength > WireFormat.MaxUdpDatagramPayloadSize)
        {
            throw new FuzzInvariantException($"{message.Type} got a {reply.Type} reply of {reply.SerializedLength} bytes: larger than a datagram");
        }

        reply?.SerializeToArray();
        var growth = StateBytes(node) - before;
        if (growth > MaxStateGrowthPerDatagram)
        {
            throw new FuzzInvariantException($"a {datagram.Length}-byte {message.Type} grew the state by {growth} bytes");
        }

        // A second pass must be as safe as the first (the node now holds what the datagram brought).
        node.ProcessMessage(message);
        node.CreateSynMessage().SerializeToArray();
    }

    private static long StateBytes(ChitchatInstance node)
    {
        long total = 0;
        foreach (var (id, state) in node.ClusterState.NodeStates)
        {
            total += 64 + id.NodeId.Length;
            foreach (var (key, value) in state.KeyValuesIncludingDeleted)
            {
                total += key.Length + value.Value.Length + 16;
            }
        }

        return total;
    }
}

/// <summary>An invariant broken by a fuzz input.</summary>
internal sealed class FuzzInvariantException(string message) : Exception(message);
