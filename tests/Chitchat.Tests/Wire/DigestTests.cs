using Chitchat.Wire;

namespace Chitchat.Tests.Wire;

/// <summary>Port of chitchat <c>digest.rs</c> tests (TC1–TC2) and the digest order test TO3.</summary>
public sealed class DigestTests
{
    [Fact]
    public void Write_NodeDigest_Takes24Bytes()
    {
        // TC1 test_node_digest_serialization: heartbeat 100, gc 2, max 3.
        var digest = new Digest();
        digest.Add(TestIds.Node10001, heartbeat: 100, lastGcVersion: 2, maxVersion: 3);

        var bytes = Encode(digest);

        NodeDigest.SerializedLength.Should().Be(24);
        bytes.Should().HaveCount(2 + 27 + 24);
        bytes[^24..].Should().Equal(WireBytes.Hex(
            "64 00 00 00 00 00 00 00",  // heartbeat 100
            "02 00 00 00 00 00 00 00",  // last_gc_version 2
            "03 00 00 00 00 00 00 00")); // max_version 3
        Decode(bytes).Should().Be(digest);
    }

    [Fact]
    public void Add_SameIdTwice_ReplacesEntryAndRoundTripsIn104Bytes()
    {
        // TC2 test_digest_serialization
        var digest = new Digest();
        digest.Add(TestIds.Node10001, 101, 1, 11);
        digest.Add(TestIds.Node10002, 102, 20, 12);
        digest.Add(TestIds.Node10002, 103, 0, 13);

        var bytes = Encode(digest);

        digest.Count.Should().Be(2);
        digest.SerializedLength.Should().Be(104);
        bytes.Should().HaveCount(104);
        digest.TryGetValue(TestIds.Node10002, out var replaced).Should().BeTrue();
        replaced.Should().Be(new NodeDigest(103, 0, 13));
        var decoded = Decode(bytes);
        decoded.Should().Be(digest);
        decoded.SerializedLength.Should().Be(104);
    }

    [Fact]
    public void Write_IdsInAnyInsertionOrder_EncodesInRustOrder()
    {
        // TO3: node_id "a" < "b" < "ba"; generation 1 < 2; IPv4 < IPv6; 10.0.0.1 < 10.0.0.2; port 1 < 2.
        ChitchatId[] sorted =
        [
            TestIds.Create("a", 1, "10.0.0.1:1"),
            TestIds.Create("a", 1, "10.0.0.1:2"),
            TestIds.Create("a", 1, "10.0.0.2:1"),
            TestIds.Create("a", 1, "[::1]:1"),
            TestIds.Create("a", 2, "10.0.0.1:1"),
            TestIds.Create("b", 1, "10.0.0.1:1"),
            TestIds.Create("ba", 0, "10.0.0.1:1"),
        ];
        var digest = new Digest();
        foreach (var (id, index) in sorted.Select((id, i) => (id, i)).Reverse())
        {
            digest.Add(id, (ulong)index, 0, 0);
        }

        var bytes = Encode(digest);

        digest.NodeDigests.Keys.Should().Equal(sorted);
        var expected = new List<byte> { 7, 0 };
        foreach (var (id, index) in sorted.Select((id, i) => (id, i)))
        {
            expected.AddRange(WireBytes.Write((ref WireWriter w) => w.WriteChitchatId(id)));
            expected.AddRange(WireBytes.Write((ref WireWriter w) =>
            {
                w.WriteU64((ulong)index);
                w.WriteU64(0);
                w.WriteU64(0);
            }));
        }

        bytes.Should().Equal(expected);
    }

    [Fact]
    public void TryRead_DuplicateEntries_LaterEntryWins()
    {
        var bytes = WireBytes.Concat(
            [2, 0],                                                      // 2 entries
            WireBytes.Write((ref WireWriter w) => w.WriteChitchatId(TestIds.Node10001)),
            WireBytes.Write((ref WireWriter w) => { w.WriteU64(1); w.WriteU64(2); w.WriteU64(3); }),
            WireBytes.Write((ref WireWriter w) => w.WriteChitchatId(TestIds.Node10001)),
            WireBytes.Write((ref WireWriter w) => { w.WriteU64(4); w.WriteU64(5); w.WriteU64(6); }));

        var decoded = Decode(bytes);

        decoded.Count.Should().Be(1);
        decoded.NodeDigests[TestIds.Node10001].Should().Be(new NodeDigest(4, 5, 6));
        decoded.SerializedLength.Should().Be(2 + 27 + 24);
    }

    [Fact]
    public void TryRead_UnsortedEntries_ReencodesSorted()
    {
        var unsorted = WireBytes.Concat(
            [2, 0],
            WireBytes.Write((ref WireWriter w) => w.WriteChitchatId(TestIds.Node10002)),
            new byte[24],
            WireBytes.Write((ref WireWriter w) => w.WriteChitchatId(TestIds.Node10001)),
            new byte[24]);

        var decoded = Decode(unsorted);

        decoded.NodeDigests.Keys.Should().Equal(TestIds.Node10001, TestIds.Node10002);
        Encode(decoded).Should().HaveCount(unsorted.Length).And.NotEqual(unsorted);
    }

    [Fact]
    public void Write_EmptyDigest_IsTwoZeroBytes()
    {
        Encode(new Digest()).Should().Equal(0, 0);
        Decode([0, 0]).Count.Should().Be(0);
    }

    [Fact]
    public void TryRead_CountLargerThanEntries_Fails()
    {
        var bytes = WireBytes.Concat([2, 0], WireBytes.Write((ref WireWriter w) => w.WriteChitchatId(TestIds.Node10001)), new byte[24]);
        var reader = new WireReader(bytes);

        Digest.TryRead(ref reader, out _).Should().BeFalse();

        reader.Error.Kind.Should().Be(DecodeErrorKind.Truncated);
    }

    private static byte[] Encode(Digest digest)
    {
        var buffer = new byte[digest.SerializedLength];
        var writer = new WireWriter(buffer);
        digest.Write(ref writer);
        writer.Position.Should().Be(digest.SerializedLength);
        return buffer;
    }

    private static Digest Decode(byte[] bytes)
    {
        var reader = new WireReader(bytes);
        Digest.TryRead(ref reader, out var digest).Should().BeTrue(reader.Error.ToString());
        reader.IsEmpty.Should().BeTrue();
        return digest;
    }
}
