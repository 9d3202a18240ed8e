using Chitchat.Wire;
using Xunit.Abstractions;
using static Chitchat.Tests.Wire.WireBytes;

namespace Chitchat.Tests.Wire;

/// <summary>
/// The decoder is a security boundary (anyone can send a UDP datagram): truncated, mutated and hostile
/// datagrams must be rejected cleanly (false, never an exception), and decompression bombs must be stopped
/// at <see cref="MessageCodec.MaxDecompressedLength"/> without allocating beyond it.
/// </summary>
public sealed class RobustnessTests(ITestOutputHelper output)
{
    private const int MaxDatagram = 65_507;

    [Fact]
    public void TryDeserialize_EveryProperPrefixOfEveryGoldenMessage_FailsCleanly() =>
        CountRejectedPrefixes(FuzzCorpus.GoldenMessages()).Should().BeGreaterThan(30_000);

    [Fact]
    public void TryDeserialize_EveryProperPrefixOfEveryV1Vector_FailsCleanly() =>
        CountRejectedPrefixes(FuzzCorpus.V1Messages()).Should().BeGreaterThan(100_000);

    [Fact]
    public void TryDeserialize_V1SynOfBombDigestBlocks_RejectedWithinTheCap()
    {
        // A V1 digest is a block stream too: the same 11-byte frames expanding to 65,535 bytes each must stop at the
        // per-datagram cap, whatever part of the datagram (digest or delta) they sit in.
        var ack = FuzzCorpus.BombAck(RleBombFrame(), MaxDatagram - 16);
        byte[] syn = [0x53, 0xB0, 0x01, 0x00, .. ack.AsSpan(4), 0x00, 0x04, 0x00, (byte)'t', (byte)'e', (byte)'s', (byte)'t'];

        var before = GC.GetAllocatedBytesForCurrentThread();
        ChitchatMessage.TryDeserialize(syn, out _, out var error).Should().BeFalse();
        var allocated = GC.GetAllocatedBytesForCurrentThread() - before;

        error.Kind.Should().Be(DecodeErrorKind.DecompressedTooLarge);
        allocated.Should().BeLessThan((2L * MessageCodec.MaxDecompressedLength) + (1 << 20));
    }

    [Fact]
    public void TryDeserialize_V1SynAckWhoseDigestAndDeltaShareTheCap_RejectedWhenTogetherTooLarge()
    {
        // 20 blocks of 65,520 bytes of valid digest entries (one member repeated), then 20 bomb blocks in the delta:
        // each stream alone is under 2 MiB, together they are not.
        var entry = Write((ref WireWriter w) =>
        {
            w.WriteChitchatId(new ChitchatId("n", 1, new System.Net.IPEndPoint(System.Net.IPAddress.Loopback, 1)));
            w.WriteU64(1);
            w.WriteU64(0);
            w.WriteU64(0);
        });
        var entries = Concat(Enumerable.Repeat(entry, ushort.MaxValue / entry.Length).ToArray());
        var digestBlocks = Concat(Enumerable.Repeat(CompressedBlock(ZstdFrame(entries)), 20).ToArray());
        var deltaBlocks = Concat(Enumerable.Repeat(CompressedBlock(RleBombFrame()), 20).ToArray());
        byte[] synAck = [0x53, 0xB0, 0x01, 0x01, .. digestBlocks, 0x00, .. deltaBlocks, 0x00];
        byte[] digestAlone = [0x53, 0xB0, 0x01, 0x01, .. digestBlocks, 0x00, 0x00];
        ChitchatMessage.TryDeserialize(digestAlone, out var message, out _).Should().BeTrue("the digest alone is under the cap");
        ((ChitchatMessage.SynAck)message!).Digest.Count.Should().Be(1);

        ChitchatMessage.TryDeserialize(synAck, out _, out var error).Should().BeFalse();

        error.Kind.Should().Be(DecodeErrorKind.DecompressedTooLarge);
    }

    [Fact]
    public void TryDeserialize_200000RandomAndMutatedDatagrams_NeverThrows()
    {
        const int Cases = 200_000;
        var corpus = new FuzzCorpus(new Random(20_251_001));
        var accepted = 0;
        var kinds = new HashSet<DecodeErrorKind>();
        for (var i = 0; i < Cases; i++)
        {
            var datagram = corpus.Next();
            try
            {
                if (ChitchatMessage.TryDeserialize(datagram, out var message, out var error))
                {
                    accepted++;

                    // Whatever was accepted encodes again to a message that decodes equal, SetMaxVersion ops after
                    // key-values included (accepted on decode, as in Rust, even when they lower the max version).
                    var reencoded = message.SerializeToArray();
                    if (!ChitchatMessage.TryDeserialize(reencoded, out var again, out var againError))
                    {
                        throw new InvalidOperationException($"Re-encoded message rejected: {againError}");
                    }

                    if (!again.Equals(message))
                    {
                        throw new InvalidOperationException("Re-encoded message decodes to another message");
                    }
                }
                else
                {
                    kinds.Add(error.Kind);
                }
            }
            catch (Exception exception)
            {
                throw new InvalidOperationException($"Case {i} threw on {ToHex(datagram.AsSpan(0, Math.Min(datagram.Length, 4096)))}", exception);
            }
        }

        // The corpus reaches every kind of rejection, and a fair share of (mutated) datagrams stays valid.
        kinds.Should().BeEquivalentTo(Enum.GetValues<DecodeErrorKind>());
        output.WriteLine($"{accepted:N0} of {Cases:N0} datagrams accepted; rejection kinds seen: {kinds.Count}");
        accepted.Should().BeInRange(Cases / 50, Cases / 2);
    }

    [Fact]
    public void TryDeserialize_MaxSizeDatagramOfBombBlocks_RejectedWithinAllocationCap()
    {
        // 4,678 blocks of 14 bytes, each an 11-byte zstd frame expanding to 65,535 bytes: ~306 MB for a decoder
        // with only Rust's per-block cap. The .NET decoder stops at 2 MiB (the 33rd block).
        var datagram = FuzzCorpus.BombAck(RleBombFrame(), MaxDatagram);
        var blocks = (datagram.Length - 4) / 14;
        datagram.Length.Should().BeGreaterThan(MaxDatagram - 14).And.BeLessThanOrEqualTo(MaxDatagram);
        ((long)blocks * ushort.MaxValue).Should().BeGreaterThan(300_000_000);

        // The decompression buffer grows by doubling through the decoder's own pool, up to 2 MiB: while the pool is
        // cold, the first call may allocate those pooled arrays, at most 128 KiB + 256 KiB + ... + 2 MiB < 2x the
        // cap (it can also be ~0 when an earlier test filled the pool). The pool is shared by every thread, so later
        // calls reuse them and the steady state shows what the decoder itself allocates per hostile datagram.
        var firstCall = 0L;
        var coldThread = new Thread(() =>
        {
            var start = GC.GetAllocatedBytesForCurrentThread();
            ChitchatMessage.TryDeserialize(datagram, out _, out _);
            firstCall = GC.GetAllocatedBytesForCurrentThread() - start;
        });
        coldThread.Start();
        coldThread.Join();
        output.WriteLine($"First call on a fresh thread: {firstCall:N0} bytes allocated");
        firstCall.Should().BeLessThan((2L * MessageCodec.MaxDecompressedLength) + (1 << 20));
        for (var i = 0; i < 3; i++)
        {
            ChitchatMessage.TryDeserialize(datagram, out _, out _);
        }

        var before = GC.GetAllocatedBytesForCurrentThread();
        var accepted = ChitchatMessage.TryDeserialize(datagram, out _, out var error);
        var allocated = GC.GetAllocatedBytesForCurrentThread() - before;

        accepted.Should().BeFalse();
        error.Kind.Should().Be(DecodeErrorKind.DecompressedTooLarge);
        error.Offset.Should().Be(4 + (32 * 14), "the 33rd block is the first one that does not fit");
        output.WriteLine($"Steady state: {allocated:N0} bytes allocated for a {datagram.Length}-byte datagram of {blocks} bomb blocks");
        allocated.Should().BeLessThan(MessageCodec.MaxDecompressedLength + (1 << 20));
    }

    [Fact]
    public void TryDeserialize_SynAckOfZstdMadeBombBlocks_RejectedAsTooLarge()
    {
        // Same attack with frames produced by a real zstd encoder (65,535 zero bytes), behind a digest.
        var frame = ZstdFrame(new byte[ushort.MaxValue]);
        var ack = FuzzCorpus.BombAck(frame, MaxDatagram - 2);
        byte[] synAck = [0x53, 0xB0, 0x00, 0x01, 0x00, 0x00, .. ack.AsSpan(4)];

        ChitchatMessage.TryDeserialize(synAck, out _, out var error).Should().BeFalse();

        error.Kind.Should().Be(DecodeErrorKind.DecompressedTooLarge);
    }

    [Fact]
    public void TryDeserialize_DeltaOfExactly32FullBlocks_IsAcceptedAnd33IsRejected()
    {
        // 32 blocks of 65,535 decompressed bytes = 2,097,120 <= 2 MiB: block 0 holds the Node op and a KV op
        // padded to fill it, every other block one 65,535-byte KV op (the largest op Rust can send).
        var blocks = new List<byte[]>
        {
            CompressedBlock(ZstdFrame(Concat(NodeOp(TestIds.Node10001, 0, 0), FullKeyValueOp(1, 65_535 - 44)))),
        };
        for (var version = 2UL; version <= 33; version++)
        {
            blocks.Add(CompressedBlock(ZstdFrame(FullKeyValueOp(version, 65_535))));
        }

        var fits = Ack(blocks.Take(32).ToArray());
        var tooLarge = Ack(blocks.ToArray());

        ChitchatMessage.TryDeserialize(fits, out var message, out var error).Should().BeTrue(error.ToString());
        var nodeDelta = ((ChitchatMessage.Ack)message!).Delta.NodeDeltas.Single();
        nodeDelta.KeyValues.Should().HaveCount(32);
        nodeDelta.MaxVersion.Should().Be(32);
        ChitchatMessage.TryDeserialize(tooLarge, out _, out error).Should().BeFalse();
        error.Kind.Should().Be(DecodeErrorKind.DecompressedTooLarge);
        fits.Length.Should().BeLessThan(MaxDatagram);
    }

    [Fact]
    public void TryDeserialize_SingleBombBlock_IsNotTooLarge()
    {
        // One block expanding to 65,535 zero bytes is within both caps: it fails on its content (a Node op
        // with an empty node id, generation 0 and IP tag 0), not on its size.
        ChitchatMessage.TryDeserialize(Ack(CompressedBlock(RleBombFrame())), out _, out var error).Should().BeFalse();

        error.Kind.Should().Be(DecodeErrorKind.InvalidIpVersion);
        DecodeBlockStream(Concat(CompressedBlock(RleBombFrame()), [0]), out _).Should().HaveCount(65_535).And.OnlyContain(b => b == 0);
    }

    /// <summary>A KeyValue op (key "p") of exactly <paramref name="length"/> bytes.</summary>
    private static byte[] FullKeyValueOp(ulong version, int length) => KeyValueOp("p", new string('x', length - 15), version);

    /// <summary>Checks that every proper prefix of every message is rejected, without an exception; returns how many.</summary>
    private static int CountRejectedPrefixes(IEnumerable<byte[]> messages)
    {
        var checkedPrefixes = 0;
        foreach (var golden in messages)
        {
            ChitchatMessage.TryDeserialize(golden, out _, out _).Should().BeTrue("the whole message is valid");
            for (var length = 0; length < golden.Length; length++)
            {
                bool accepted;
                try
                {
                    accepted = ChitchatMessage.TryDeserialize(golden.AsSpan(0, length), out _, out _);
                }
                catch (Exception exception)
                {
                    throw new InvalidOperationException($"Prefix {length} of {ToHex(golden.AsSpan(0, Math.Min(golden.Length, 4096)))} threw.", exception);
                }

                accepted.Should().BeFalse($"a {length}-byte prefix of a {golden.Length}-byte message is incomplete");
                checkedPrefixes++;
            }
        }

        return checkedPrefixes;
    }
}
