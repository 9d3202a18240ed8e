using System.Net;
using System.Text;
using Chitchat.Wire;
using CsCheck;

namespace Chitchat.Tests.Wire;

/// <summary>
/// CsCheck properties: random ids, digests and deltas round-trip exactly; the MTU-bounded builder never
/// exceeds its budget and the receiver decodes exactly what was admitted; TA10 (the block-stream proptest).
/// Every property runs single-threaded from a fixed seed, so a failure is reproducible.
/// </summary>
public sealed class PropertyTests
{
    private const string Alphanumeric = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";

    // Mostly ASCII, with 2-byte, 3-byte (incl. U+E000-U+FFFF) and 4-byte (astral) UTF-8; never a lone surrogate
    // (it could not round-trip) nor a newline (excluded by Rust's TA10 generator).
    private static readonly Gen<string> s_codePoint = Gen.Int[0, 9].SelectMany(bucket => bucket switch
    {
        < 5 => Gen.Int['a', 'z'],
        < 7 => Gen.Int[0x20, 0x7E],
        7 => Gen.Int[0x80, 0xD7FF],
        8 => Gen.Int[0xE000, 0xFFFF],
        _ => Gen.Int[0x1_0000, 0x10_FFFF],
    }).Select(char.ConvertFromUtf32);

    private static readonly Gen<IPAddress> s_address = Gen.Bool.SelectMany(isV4 => isV4
        ? Gen.Byte.Array[4].Select(b => new IPAddress(b))
        : Gen.Byte.Array[16].Select(b => new IPAddress(b)));

    private static readonly Gen<ChitchatId> s_id = Gen.Select(
        Text(0, 12), Gen.ULong, s_address, Gen.Int[0, 65_535],
        (nodeId, generation, address, port) => new ChitchatId(nodeId, generation, new IPEndPoint(address, port)));

    private static readonly Gen<Digest> s_digest = Gen.Select(s_id, Gen.ULong, Gen.ULong, Gen.ULong).Array[0, 25].Select(entries =>
    {
        var digest = new Digest();
        foreach (var (id, heartbeat, lastGcVersion, maxVersion) in entries)
        {
            digest.Add(id, heartbeat, lastGcVersion, maxVersion);
        }

        return digest;
    });

    // A value is either random text or a compressible repetition, so both raw and zstd blocks appear.
    private static readonly Gen<string> s_value = Gen.Bool.SelectMany(compressible => compressible
        ? Gen.Select(s_codePoint, Gen.Int[0, 400], (unit, count) => string.Concat(Enumerable.Repeat(unit, count)))
        : Text(0, 200));

    private static readonly Gen<NodeDelta> s_nodeDelta = Gen.Select(
        s_id, Gen.ULong, Gen.ULong, Gen.Select(Text(0, 16), s_value, Gen.UInt[1, 1_000], Gen.Byte[0, 2]).Array[0, 12], Gen.UInt[0, 5_000],
        (id, lastGcVersion, fromVersion, keyValues, maxVersionIfEmpty) =>
        {
            var version = 0UL;
            var mutations = keyValues
                .Select(kv => new KeyValueMutation(kv.Item1, kv.Item2, version += kv.Item3, (DeletionStatus)kv.Item4))
                .ToList();
            return new NodeDelta(id, lastGcVersion, fromVersion, mutations.Count == 0 ? maxVersionIfEmpty : version, mutations);
        });

    private static readonly Gen<Delta> s_delta = s_nodeDelta.Array[0, 8].Select(nodeDeltas =>
        Delta.FromNodeDeltas(nodeDeltas.DistinctBy(n => n.ChitchatId).ToList()));

    [Fact]
    public void WriteChitchatId_RandomIds_RoundTripsAndSortsLikeRust()
    {
        Gen.Select(s_id, s_id).Sample((a, b) =>
        {
            var bytes = WireBytes.Write((ref WireWriter w) => w.WriteChitchatId(a));
            bytes.Should().HaveCount(a.SerializedLength);
            var reader = new WireReader(bytes);
            reader.TryReadChitchatId(out var decoded).Should().BeTrue();
            decoded.Should().Be(a);
            decoded.GetHashCode().Should().Be(a.GetHashCode());
            Math.Sign(a.CompareTo(b)).Should().Be(Math.Sign(RustOrder(a, b)), $"{a} vs {b}");
        }, seed: Seed(1), iter: 2_000, threads: 1);
    }

    [Fact]
    public void Serialize_RandomSyn_RoundTripsExactly()
    {
        Gen.Select(s_digest, Text(0, 30)).Sample((digest, clusterId) =>
        {
            var syn = new ChitchatMessage.Syn(clusterId, digest);
            var bytes = AssertRoundTrip(syn);
            var ids = digest.NodeDigests.Keys.ToList();
            ids.Should().BeInAscendingOrder(Comparer<ChitchatId>.Create(RustOrder));
            bytes.Length.Should().Be(4 + 2 + ids.Sum(id => id.SerializedLength + 24) + 2 + Encoding.UTF8.GetByteCount(clusterId));
        }, seed: Seed(2), iter: 1_000, threads: 1);
    }

    [Fact]
    public void Serialize_RandomAckAndSynAck_RoundTripExactly()
    {
        Gen.Select(s_delta, s_digest).Sample((delta, digest) =>
        {
            AssertRoundTrip(new ChitchatMessage.Ack(delta));
            AssertRoundTrip(new ChitchatMessage.SynAck(digest, delta));
        }, seed: Seed(3), iter: 500, threads: 1);
    }

    [Fact]
    public void Serialize_RandomV1Messages_RoundTripExactlyAndCarryTheV0Entries()
    {
        // Digests up to 400 entries, so V1 digests of several blocks (raw and compressed) appear.
        var bigDigest = Gen.Select(s_id, Gen.ULong, Gen.ULong, Gen.ULong).Array[0, 400].Select(entries =>
        {
            var digest = new Digest();
            foreach (var (id, heartbeat, lastGcVersion, maxVersion) in entries)
            {
                digest.Add(id, heartbeat, lastGcVersion, maxVersion);
            }

            return digest;
        });
        Gen.Select(bigDigest, s_delta, Text(0, 30)).Sample((digest, delta, clusterId) =>
        {
            AssertRoundTrip(new ChitchatMessage.Syn(clusterId, digest, ProtocolVersion.V1));
            AssertRoundTrip(new ChitchatMessage.SynAck(digest, delta, ProtocolVersion.V1));
            AssertRoundTrip(new ChitchatMessage.Ack(delta, ProtocolVersion.V1));

            // The V1 digest holds exactly the V0 entries (V0 bytes less the u16 count), in blocks of 16,384 bytes.
            var v0 = new ChitchatMessage.Syn(clusterId, digest).SerializeToArray();
            var v1 = new ChitchatMessage.Syn(clusterId, digest, ProtocolVersion.V1).SerializeToArray();
            var content = WireBytes.DecodeBlockStream(v1.AsSpan(4), out var consumed);
            content.Should().Equal(v0.AsSpan(6, digest.SerializedLength - 2).ToArray());
            var blocks = WireBytes.Blocks(v1.AsSpan(4, consumed));
            blocks.Should().HaveCount((content.Length + 16_383) / 16_384);
            v1.AsSpan(4 + consumed).ToArray().Should().Equal(v0.AsSpan(4 + digest.SerializedLength).ToArray(), "the cluster id follows");
        }, seed: Seed(7), iter: 300, threads: 1);
    }

    [Fact]
    public void Finish_RandomMtuAndOps_StaysWithinBudgetAndReceiverGetsWhatWasAdmitted()
    {
        // Ops are generated no larger than the block threshold min(16,384, mtu), which rules out the
        // multi-block single-op corner case of PROTOCOL.md §7.4 (the only case where the bound undercounts).
        var plans = Gen.Select(s_id, Gen.UInt[0, 100], Gen.UInt[0, 100], Gen.Int[0, 30], Gen.Int[0, 2_000].Array[0, 25]);
        var (truncated, multiBlock) = (0, 0);
        Gen.Select(Gen.Int[100, 70_000], plans.Array[1, 30], Gen.Int).Sample((mtu, nodes, contentSeed) =>
        {
            var threshold = Math.Min(16_384, mtu);
            var random = new Random(contentSeed);
            var admitted = new List<NodeDelta>();
            using var builder = new DeltaBuilder(mtu);
            var version = 0UL;
            foreach (var (id, lastGcVersion, fromVersion, setMaxVersion, valueLengths) in nodes.DistinctBy(n => n.Item1))
            {
                if (!builder.TryAddNode(id, lastGcVersion, fromVersion))
                {
                    break; // §7.3: a rejected node ends the delta
                }

                var keyValues = new List<KeyValueMutation>();
                admitted.Add(new NodeDelta(id, lastGcVersion, fromVersion, 0, keyValues));
                if (valueLengths.Length == 0 && setMaxVersion > 0)
                {
                    // §7.3: a rejected SetMaxVersion is ignored (max version stays 0).
                    var maxVersion = version += (ulong)setMaxVersion;
                    if (builder.TrySetMaxVersion(maxVersion))
                    {
                        admitted[^1] = new NodeDelta(id, lastGcVersion, fromVersion, maxVersion, keyValues);
                    }

                    continue;
                }

                var rejected = false;
                foreach (var length in valueLengths)
                {
                    var key = $"k{keyValues.Count}";
                    var value = RandomValue(random, Math.Min(length, threshold - KeyValueMutation.OpLengthOf(key, string.Empty)));
                    var mutation = new KeyValueMutation(key, value, ++version, (DeletionStatus)random.Next(3));
                    if (!builder.TryAddKeyValue(mutation))
                    {
                        rejected = true; // §7.3: a rejected key-value ends the delta
                        break;
                    }

                    keyValues.Add(mutation);
                    admitted[^1] = new NodeDelta(id, lastGcVersion, fromVersion, mutation.Version, keyValues);
                }

                if (rejected)
                {
                    break;
                }
            }

            var delta = builder.Finish();
            truncated += admitted.Count < nodes.DistinctBy(n => n.Item1).Count() || admitted.Sum(n => n.KeyValues.Count) < nodes.Sum(n => n.Item5.Length) ? 1 : 0;
            multiBlock += WireBytes.Blocks(delta.Encoded).Count > 1 ? 1 : 0;

            delta.SerializedLength.Should().BeLessThanOrEqualTo(mtu);
            delta.NodeDeltas.Should().Equal(admitted);
            WireBytes.TryDecodeDelta(delta.Encoded, out var received, out var error).Should().BeTrue(error.ToString());
            received.NodeDeltas.Should().Equal(admitted);
            received.DecodedLength.Should().Be(received.NodeDeltas.Count == 0 ? 0 : delta.SerializedLength);

            // §7.4: re-encoding with the fixed 16,384-byte threshold reproduces the builder's bytes.
            Delta.FromNodeDeltas(delta.NodeDeltas).Encoded.SequenceEqual(delta.Encoded).Should().BeTrue();
        }, seed: Seed(4), iter: 300, threads: 1);

        // The property is not vacuous: many cases hit the budget, and many span several blocks.
        truncated.Should().BeGreaterThan(100);
        multiBlock.Should().BeGreaterThan(30);
    }

    [Fact]
    public void Finish_RandomStrings_StaysWithinBoundAndDecodes()
    {
        // TA10 test_proptest_compressed_stream: 1..100 strings of 0..1000 chars, threshold 1,000. Strings may
        // be up to 4,000 UTF-8 bytes, i.e. longer than the threshold: then appending the last one can flush
        // f > 1 blocks, and PROTOCOL.md §7.4 documents that the bound undercounts by 3 bytes per extra block.
        Text(0, 1_000).Array[1, 100].Sample(strings =>
        {
            using var writer = new CompressedStreamWriter(1_000);
            foreach (var value in strings[..^1])
            {
                CompressedStreamWriterTests.AppendString(writer, value);
            }

            var lastLength = WireFormat.StringLength(strings[^1]);
            var bound = writer.SerializedLengthUpperBoundAfter(lastLength);
            var pending = writer.PendingLength;
            CompressedStreamWriterTests.AppendString(writer, strings[^1]);
            var stream = writer.Finish();

            var flushes = pending + lastLength > 1_000 ? (pending + lastLength - 1) / 1_000 : 0;
            stream.Length.Should().BeLessThanOrEqualTo(bound + (3 * Math.Max(0, flushes - 1)));
            CompressedStreamWriterTests.DecodeStrings(stream, out var consumed).Should().Equal(strings);
            consumed.Should().Be(stream.Length);
        }, seed: Seed(5), iter: 150, threads: 1);
    }

    /// <summary>An independent statement of PROTOCOL.md §2.4, on UTF-8 bytes and address bytes.</summary>
    private static int RustOrder(ChitchatId a, ChitchatId b)
    {
        var byNodeId = Encoding.UTF8.GetBytes(a.NodeId).AsSpan().SequenceCompareTo(Encoding.UTF8.GetBytes(b.NodeId));
        if (byNodeId != 0)
        {
            return byNodeId;
        }

        if (a.GenerationId != b.GenerationId)
        {
            return a.GenerationId.CompareTo(b.GenerationId);
        }

        var (aBytes, bBytes) = (a.GossipAdvertiseAddr.Address.GetAddressBytes(), b.GossipAdvertiseAddr.Address.GetAddressBytes());
        return aBytes.Length != bBytes.Length ? aBytes.Length.CompareTo(bBytes.Length)
            : aBytes.AsSpan().SequenceCompareTo(bBytes) is var byAddress and not 0 ? byAddress
            : a.GossipAdvertiseAddr.Port.CompareTo(b.GossipAdvertiseAddr.Port);
    }

    private static byte[] AssertRoundTrip(ChitchatMessage message)
    {
        var bytes = message.SerializeToArray();
        bytes.Should().HaveCount(message.SerializedLength);
        ChitchatMessage.TryDeserialize(bytes, out var decoded, out var error).Should().BeTrue(error.ToString());
        decoded.Should().Be(message);
        decoded!.SerializeToArray().Should().Equal(bytes);
        return bytes;
    }

    private static string RandomValue(Random random, int length) => random.Next(2) == 0
        ? new string(random.GetItems(Alphanumeric.AsSpan(), Math.Max(0, length)))
        : new string((char)('a' + random.Next(26)), Math.Max(0, length));

    private static Gen<string> Text(int min, int max) => s_codePoint.Array[min, max].Select(string.Concat);

    private static string Seed(uint stream) => new PCG(stream, 20_251_001).ToString();
}
