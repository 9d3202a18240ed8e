using System.Buffers.Binary;
using Chitchat.Wire;

namespace Chitchat.Tests.Wire;

/// <summary>Builds raw wire bytes by hand (valid or hostile) for the codec tests.</summary>
internal static class WireBytes
{
    public delegate void WriteAction(ref WireWriter writer);

    /// <summary>Parses hex fragments (spaces allowed), so golden bytes can be commented fragment by fragment.</summary>
    public static byte[] Hex(params string[] fragments) =>
        Convert.FromHexString(string.Concat(fragments).Replace(" ", string.Empty, StringComparison.Ordinal));

    public static string ToHex(ReadOnlySpan<byte> bytes) => Convert.ToHexStringLower(bytes);

    public static byte[] Concat(params byte[][] parts) => parts.SelectMany(p => p).ToArray();

    /// <summary>Runs <paramref name="write"/> on a <see cref="WireWriter"/> and returns the bytes written.</summary>
    public static byte[] Write(WriteAction write, int capacity = 1 << 17)
    {
        var buffer = new byte[capacity];
        var writer = new WireWriter(buffer);
        write(ref writer);
        return buffer[..writer.Position];
    }

    /// <summary>Message header: magic <c>53 b0</c>, version 0, type.</summary>
    public static byte[] Header(byte type) => [0x53, 0xB0, 0x00, type];

    public static byte[] NodeOp(ChitchatId id, ulong lastGcVersion, ulong fromVersionExcluded)
    {
        var op = new byte[NodeDelta.NodeOpLength(id)];
        DeltaOps.WriteNode(op, id, lastGcVersion, fromVersionExcluded);
        return op;
    }

    /// <summary>A KeyValue op; <paramref name="status"/> is a raw byte so invalid codes can be written.</summary>
    public static byte[] KeyValueOp(string key, string value, ulong version, byte status = 0)
    {
        var op = new byte[KeyValueMutation.OpLengthOf(key, value)];
        DeltaOps.WriteKeyValue(op, key, value, version, DeletionStatus.Set);
        op[^1] = status;
        return op;
    }

    public static byte[] SetMaxVersionOp(ulong maxVersion)
    {
        var op = new byte[NodeDelta.SetMaxVersionOpLength];
        DeltaOps.WriteSetMaxVersion(op, maxVersion);
        return op;
    }

    /// <summary>Block type 2 (uncompressed): <c>02 len:u16 payload</c>.</summary>
    public static byte[] RawBlock(byte[] payload) => Concat([2], U16(payload.Length), payload);

    /// <summary>Block type 1 (compressed): <c>01 len:u16 frame</c>.</summary>
    public static byte[] CompressedBlock(byte[] frame) => Concat([1], U16(frame.Length), frame);

    /// <summary>A standard zstd frame (level 3, content size, no checksum) of <paramref name="content"/>.</summary>
    public static byte[] ZstdFrame(ReadOnlySpan<byte> content)
    {
        // Room for incompressible content (zstd's compress bound is about n + n/256 + 64).
        var frame = new byte[content.Length + (content.Length / 128) + 128];
        ZstdBlockCodec.TryCompress(content, frame, out var written).Should().BeTrue();
        return frame[..written];
    }

    /// <summary>
    /// A hand-made 11-byte zstd frame that expands to 65,535 zero bytes: magic, single-segment descriptor,
    /// 2-byte content size, one RLE block.
    /// </summary>
    public static byte[] RleBombFrame() =>
    [
        0x28, 0xB5, 0x2F, 0xFD, // zstd magic
        0x60,                   // descriptor: 2-byte content size, single segment, no checksum
        0xFF, 0xFE,             // content size - 256 = 65,279 → 65,535
        0xFB, 0xFF, 0x07,       // block header: last block, RLE, size 65,535 ((65535 << 3) | (1 << 1) | 1)
        0x00,                   // the repeated byte
    ];

    /// <summary>An Ack datagram whose delta is <paramref name="blocks"/> followed by the end marker.</summary>
    public static byte[] Ack(params byte[][] blocks) => Concat(Header(2), Concat(blocks), [0]);

    /// <summary>Decodes a delta (block stream + operations) without a message envelope.</summary>
    public static bool TryDecodeDelta(ReadOnlySpan<byte> stream, out Delta delta, out DecodeError error)
    {
        var reader = new WireReader(stream);
        var budget = MessageCodec.MaxDecompressedLength;
        return Delta.TryRead(ref reader, ref budget, out delta, out error);
    }

    /// <summary>Decodes a block stream into its uncompressed bytes, asserting success.</summary>
    public static byte[] DecodeBlockStream(ReadOnlySpan<byte> stream, out int consumed)
    {
        BlockStream.TryDecode(stream, out var data, out consumed, out var error).Should().BeTrue(error.ToString());
        return data;
    }

    /// <summary>
    /// Asserts that two encodings of a message are the same bytes, or differ only inside zstd frames that
    /// decompress to the same content, with the same block cuts and the same raw/compressed decisions. zstd
    /// frames depend on the zstd build (the Rust vectors were made with libzstd 1.5.4; newer versions compress
    /// large blocks slightly better); receivers accept any valid frame.
    /// </summary>
    public static void AssertSameExceptZstdFrames(ReadOnlySpan<byte> expected, ReadOnlySpan<byte> actual, string because)
    {
        if (expected.SequenceEqual(actual))
        {
            return;
        }

        Canonical(actual).Should().Equal(Canonical(expected), because);
    }

    /// <summary>The message with every compressed block replaced by its content (so zstd builds compare equal).</summary>
    private static List<string> Canonical(ReadOnlySpan<byte> datagram)
    {
        ChitchatMessage.TryDeserialize(datagram, out var message, out var error).Should().BeTrue(error.ToString());
        var tokens = new List<string> { "header:" + ToHex(datagram[..4]) };
        var position = 4;
        if (message is ChitchatMessage.Syn or ChitchatMessage.SynAck)
        {
            if (message.Version == ProtocolVersion.V1)
            {
                position = CanonicalStream(datagram, position, tokens);
            }
            else
            {
                var digest = message is ChitchatMessage.Syn syn ? syn.Digest : ((ChitchatMessage.SynAck)message).Digest;
                tokens.Add("digest-v0:" + ToHex(datagram.Slice(position, digest.SerializedLength)));
                position += digest.SerializedLength;
            }
        }

        if (message is ChitchatMessage.SynAck or ChitchatMessage.Ack)
        {
            position = CanonicalStream(datagram, position, tokens);
        }

        tokens.Add("rest:" + ToHex(datagram[position..]));
        return tokens;
    }

    private static int CanonicalStream(ReadOnlySpan<byte> datagram, int position, List<string> tokens)
    {
        while (datagram[position] != 0)
        {
            var type = datagram[position];
            var length = BinaryPrimitives.ReadUInt16LittleEndian(datagram[(position + 1)..]);
            var payload = datagram.Slice(position + 3, length);
            if (type == 1)
            {
                var content = new byte[WireFormat.MaxDecompressedBlockLength];
                ZstdBlockCodec.TryDecompress(payload, content, out var written).Should().BeTrue();
                tokens.Add("zstd-block:" + ToHex(content.AsSpan(0, written)));
            }
            else
            {
                tokens.Add("raw-block:" + ToHex(payload));
            }

            position += 3 + length;
        }

        tokens.Add("end");
        return position + 1;
    }

    /// <summary>Lists the blocks of a framed stream as (type, payload length).</summary>
    public static List<(byte Type, int Length)> Blocks(ReadOnlySpan<byte> stream)
    {
        var blocks = new List<(byte, int)>();
        var position = 0;
        while (stream[position] != 0)
        {
            var length = BinaryPrimitives.ReadUInt16LittleEndian(stream[(position + 1)..]);
            blocks.Add((stream[position], length));
            position += 3 + length;
        }

        return blocks;
    }

    private static byte[] U16(int value)
    {
        var bytes = new byte[2];
        BinaryPrimitives.WriteUInt16LittleEndian(bytes, checked((ushort)value));
        return bytes;
    }
}
