using System.Buffers.Binary;
using Chitchat.Wire;
using static Chitchat.Tests.Wire.WireBytes;

namespace Chitchat.Tests.Wire;

/// <summary>
/// Seeded generator of hostile datagrams: mutations of the golden messages (bit flips, overwritten bytes,
/// corrupted length fields and block headers, truncation, extension, splicing), random op streams in random
/// blocks, random block sequences, random bytes and zstd bombs.
/// </summary>
internal sealed class FuzzCorpus
{
    private static readonly ChitchatId[] s_ids =
    [
        TestIds.Node10001, TestIds.Node10002, TestIds.Create("n\u00e9", 7, "[::1]:7280"), TestIds.Create("x", 1, "10.0.0.1:1"),
    ];

    private static readonly ushort[] s_edgeLengths = [0, 1, 2, 0x7F, 0x80, 0xFF, 0x100, 0x3FFF, 0x4000, 0x7FFF, 0x8000, 0xFFFE, 0xFFFF];

    private readonly Random _random;
    private readonly (byte[] Bytes, int DeltaOffset)[] _seeds;

    public FuzzCorpus(Random random)
    {
        _random = random;
        _seeds = GoldenMessages().Select(bytes => (bytes, DeltaOffset(bytes))).ToArray();
    }

    /// <summary>
    /// The 0.10.1 vectors and handshake steps, the worked examples of the protocol description, and the 0.13.0
    /// V1 messages and transcript steps under 4 KiB (the larger ones are covered by <see cref="V1Messages"/>).
    /// </summary>
    public static IEnumerable<byte[]> GoldenMessages() =>
        Vectors.WireMessages.Select(m => Vectors.Hex(m))
            .Concat(V1Messages().Where(m => m.Length < 4096))
            .Append(GoldenExampleTests.OneKeyAckBytes())
            .Append(new ChitchatMessage.Ack(DeltaBuilderTests.BuildTd3Delta()).SerializeToArray())
            .Append(new ChitchatMessage.Ack(Delta.FromNodeDeltas([new NodeDelta(s_ids[2], 5, 3, 9, [])])).SerializeToArray());

    /// <summary>Every V1 datagram of the 0.13.0 vectors: messages and the steps of the V1 and mixed transcripts.</summary>
    public static IEnumerable<byte[]> V1Messages() =>
        Vectors.V013.Messages
            .Concat(Vectors.V013.Steps("handshake"))
            .Concat(Vectors.V013.Steps("handshake_mixed"))
            .Where(m => m.GetProperty("protocol_version").GetInt32() == 1)
            .Select(m => Vectors.Hex(m));

    /// <summary>An Ack made of as many copies of a bomb block as fit in <paramref name="maxLength"/> bytes.</summary>
    public static byte[] BombAck(byte[] frame, int maxLength)
    {
        var block = CompressedBlock(frame);
        var count = (maxLength - 4) / block.Length;
        return Concat(Header(2), Concat(Enumerable.Repeat(block, count).ToArray()));
    }

    public byte[] Next()
    {
        var seed = Pick();
        return _random.Next(100) switch
        {
            < 25 => FlipBits(seed),
            < 37 => OverwriteBytes(seed),
            < 45 => CorruptU16(seed.Bytes, _random.Next(4, Math.Max(5, seed.Bytes.Length - 1))),
            < 55 => CorruptBlockHeader(seed),
            < 60 => seed.Bytes[.._random.Next(seed.Bytes.Length)],
            < 64 => Concat(seed.Bytes, RandomBytes(_random.Next(1, 64))),
            < 67 => Splice(seed.Bytes, Pick().Bytes),
            < 80 => RandomOpStreamMessage(),
            < 88 => RandomBlocks(),
            < 99 => RandomDatagram(),
            _ => SmallBomb(),
        };
    }

    private (byte[] Bytes, int DeltaOffset) Pick() => _seeds[_random.Next(_seeds.Length)];

    private byte[] FlipBits((byte[] Bytes, int DeltaOffset) seed)
    {
        var bytes = (byte[])seed.Bytes.Clone();
        for (var i = _random.Next(1, 9); i > 0; i--)
        {
            var index = _random.Next(bytes.Length);
            bytes[index] ^= (byte)(1 << _random.Next(8));
        }

        return bytes;
    }

    private byte[] OverwriteBytes((byte[] Bytes, int DeltaOffset) seed)
    {
        var bytes = (byte[])seed.Bytes.Clone();
        for (var i = _random.Next(1, 5); i > 0; i--)
        {
            bytes[_random.Next(bytes.Length)] = _random.Next(3) == 0 ? (byte)_random.Next(256) : (byte)_random.Next(5);
        }

        return bytes;
    }

    private byte[] CorruptU16(byte[] source, int offset)
    {
        var bytes = (byte[])source.Clone();
        if (offset + 2 > bytes.Length)
        {
            return bytes;
        }

        var current = BinaryPrimitives.ReadUInt16LittleEndian(bytes.AsSpan(offset));
        var value = _random.Next(4) switch
        {
            0 => (ushort)(current + 1),
            1 => (ushort)(current - 1),
            2 => (ushort)_random.Next(65_536),
            _ => s_edgeLengths[_random.Next(s_edgeLengths.Length)],
        };
        BinaryPrimitives.WriteUInt16LittleEndian(bytes.AsSpan(offset), value);
        return bytes;
    }

    /// <summary>Corrupts the type byte or the length of a random block of a seed's delta.</summary>
    private byte[] CorruptBlockHeader((byte[] Bytes, int DeltaOffset) seed)
    {
        if (seed.DeltaOffset < 0)
        {
            return FlipBits(seed);
        }

        var starts = new List<int>();
        for (var position = seed.DeltaOffset; seed.Bytes[position] != 0; position += 3 + BinaryPrimitives.ReadUInt16LittleEndian(seed.Bytes.AsSpan(position + 1)))
        {
            starts.Add(position);
        }

        starts.Add(seed.Bytes.Length - 1); // the end marker
        var start = starts[_random.Next(starts.Count)];
        if (_random.Next(2) == 0 || start == seed.Bytes.Length - 1)
        {
            var bytes = (byte[])seed.Bytes.Clone();
            bytes[start] = _random.Next(2) == 0 ? (byte)_random.Next(4) : (byte)_random.Next(256);
            return bytes;
        }

        return CorruptU16(seed.Bytes, start + 1);
    }

    private byte[] Splice(byte[] a, byte[] b)
    {
        var cut = _random.Next(a.Length);
        var from = _random.Next(b.Length);
        return Concat(a[..cut], b[from..Math.Min(b.Length, from + _random.Next(1, 200))], a[cut..]);
    }

    /// <summary>An Ack or SynAck whose op stream is a random mix of (mostly valid) ops in random blocks.</summary>
    private byte[] RandomOpStreamMessage()
    {
        var ops = new List<byte>();
        var version = 0UL;
        for (var i = _random.Next(1, 20); i > 0; i--)
        {
            ops.AddRange(_random.Next(20) switch
            {
                < 4 => NodeOp(s_ids[_random.Next(s_ids.Length)], (ulong)_random.Next(5), (ulong)_random.Next(5)),
                < 16 => KeyValueOp(RandomText(6), RandomText(40), _random.Next(8) == 0 ? (ulong)_random.Next(3) : ++version, (byte)(_random.Next(10) == 0 ? 3 : _random.Next(3))),
                < 19 => SetMaxVersionOp(_random.Next(2) == 0 ? version : (ulong)_random.Next(100)),
                _ => RandomBytes(_random.Next(1, 4)),
            });
        }

        var stream = ops.ToArray();
        if (_random.Next(6) == 0)
        {
            stream = stream[.._random.Next(stream.Length)];
        }

        var blocks = new List<byte[]>();
        for (var rest = stream.AsSpan(); !rest.IsEmpty;)
        {
            var length = Math.Min(rest.Length, _random.Next(1, 200));
            var chunk = rest[..length];
            blocks.Add(_random.Next(2) == 0 ? RawBlock(chunk.ToArray()) : CompressedBlock(ZstdFrame(chunk)));
            rest = rest[length..];
        }

        var delta = Concat(Concat(blocks.ToArray()), [0]);
        return _random.Next(2) == 0 ? Concat(Header(2), delta) : Concat(Header(1), [1, 0], NodeDigestEntry(), delta);
    }

    private byte[] RandomBlocks()
    {
        var parts = new List<byte[]> { Header(2) };
        for (var i = _random.Next(0, 5); i > 0; i--)
        {
            var type = _random.Next(4) == 0 ? (byte)_random.Next(256) : (byte)_random.Next(1, 3);
            var payload = _random.Next(3) switch
            {
                0 => ZstdFrame(RandomBytes(_random.Next(0, 300))),
                1 => FlipBits((ZstdFrame(Pick().Bytes), -1)),
                _ => RandomBytes(_random.Next(0, 100)),
            };
            var length = _random.Next(5) == 0 ? s_edgeLengths[_random.Next(s_edgeLengths.Length)] : payload.Length;
            parts.Add(Concat([type], [(byte)length, (byte)(length >> 8)], payload));
        }

        if (_random.Next(5) != 0)
        {
            parts.Add([0]);
        }

        return Concat(parts.ToArray());
    }

    private byte[] RandomDatagram() => _random.Next(4) == 0
        ? RandomBytes(_random.Next(0, 64))
        : Concat([0x53, 0xB0, (byte)(_random.Next(10) == 0 ? 1 : 0), (byte)_random.Next(6)], RandomBytes(_random.Next(0, 300)));

    private byte[] SmallBomb()
    {
        var bytes = BombAck(RleBombFrame(), 4 + (14 * _random.Next(1, 70)));
        return _random.Next(2) == 0 ? bytes : Concat(bytes, [0]);
    }

    private byte[] NodeDigestEntry() =>
        Concat(Write((ref WireWriter w) => w.WriteChitchatId(s_ids[_random.Next(s_ids.Length)])), RandomBytes(24));

    private byte[] RandomBytes(int length)
    {
        var bytes = new byte[length];
        _random.NextBytes(bytes);
        return bytes;
    }

    private string RandomText(int maxLength)
    {
        var chars = new char[_random.Next(maxLength + 1)];
        for (var i = 0; i < chars.Length; i++)
        {
            chars[i] = _random.Next(8) == 0 ? (char)_random.Next(0x80, 0xD800) : (char)_random.Next('a', 'z' + 1);
        }

        return new string(chars);
    }

    /// <summary>Offset of the delta of an Ack/SynAck golden message, or -1.</summary>
    /// <summary>The framed length of the V1 digest at offset 4, as sent (another zstd may re-encode it differently).</summary>
    private static int V1DigestLength(byte[] bytes)
    {
        BlockStream.TryDecode(bytes.AsSpan(4), out _, out var consumed, out _).Should().BeTrue();
        return consumed;
    }

    private static int DeltaOffset(byte[] bytes)
    {
        ChitchatMessage.TryDeserialize(bytes, out var message, out _).Should().BeTrue();
        return message switch
        {
            ChitchatMessage.Ack => 4,
            ChitchatMessage.SynAck { Version: ProtocolVersion.V0 } synAck => 4 + synAck.Digest.SerializedLength,
            ChitchatMessage.SynAck => 4 + V1DigestLength(bytes),
            _ => -1,
        };
    }
}
