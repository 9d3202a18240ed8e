using Chitchat.Wire;
using static Chitchat.Tests.Wire.WireBytes;

namespace Chitchat.Tests.Wire;

/// <summary>The annotated examples of docs/PROTOCOL.md, byte for byte, in both directions.</summary>
public sealed class GoldenExampleTests
{
    // §9.3's digest entry: node-10001, generation 1, 127.0.0.1:10001, heartbeat 42, gc 0, max 3.
    private static readonly ChitchatId s_node10001Gen1 = TestIds.Create("node-10001", 1, "127.0.0.1:10001");

    [Fact]
    public void Serialize_BadCluster_Section91Bytes()
    {
        byte[] expected =
        [
            0x53, 0xB0, // magic 45139, little-endian
            0x00,       // protocol version 0
            0x03,       // message type 3 = BadCluster
        ];

        AssertBothDirections(ChitchatMessage.BadCluster.Instance, expected);
    }

    [Fact]
    public void Serialize_SynWithEmptyDigest_Section92Bytes()
    {
        var expected = Hex(
            "53 b0 00 00",                       // header, type 0 = Syn
            "00 00",                             // digest: 0 entries
            "09 00 63 6c 75 73 74 65 72 2d 61"); // cluster_id: length 9, "cluster-a"

        AssertBothDirections(new ChitchatMessage.Syn("cluster-a", new Digest()), expected);
        expected.Should().HaveCount(17);
    }

    [Fact]
    public void Serialize_SynWithOneNodeDigest_Section93Bytes()
    {
        var expected = Hex(
            "53 b0",                         // 0  magic
            "00",                            // 2  protocol version 0
            "00",                            // 3  type 0 = Syn
            "01 00",                         // 4  digest entry count = 1
            "0a 00",                         // 6  node_id length = 10
            "6e 6f 64 65 2d 31 30 30 30 31", // 8  "node-10001"
            "01 00 00 00 00 00 00 00",       // 18 generation_id = 1
            "04",                            // 26 IPv4 tag
            "7f 00 00 01",                   // 27 127.0.0.1
            "11 27",                         // 31 port 10001 (LE)
            "2a 00 00 00 00 00 00 00",       // 33 heartbeat = 42
            "00 00 00 00 00 00 00 00",       // 41 last_gc_version = 0
            "03 00 00 00 00 00 00 00",       // 49 max_version = 3
            "09 00",                         // 57 cluster_id length = 9
            "63 6c 75 73 74 65 72 2d 61");   // 59 "cluster-a"
        var digest = new Digest();
        digest.Add(s_node10001Gen1, heartbeat: 42, lastGcVersion: 0, maxVersion: 3);

        AssertBothDirections(new ChitchatMessage.Syn("cluster-a", digest), expected);
        expected.Should().HaveCount(68);
    }

    [Fact]
    public void Serialize_EmptySynAck_Section94Bytes()
    {
        var expected = Hex(
            "53 b0 00 01", // header, type 1 = SynAck
            "00 00",       // digest: 0 entries
            "00");         // delta: no block, just the end marker

        AssertBothDirections(new ChitchatMessage.SynAck(new Digest(), Delta.Empty), expected);
        expected.Should().HaveCount(7);
    }

    [Fact]
    public void Serialize_AckWithOneKeyDelta_Section95Bytes()
    {
        var expected = OneKeyAckBytes();

        AssertBothDirections(new ChitchatMessage.Ack(OneKeyDelta()), expected);
        expected.Should().HaveCount(74);

        // The same delta in a SynAck next to §9.3's 53-byte digest: 4 + 53 + 70 = 127 bytes.
        var digest = new Digest();
        digest.Add(s_node10001Gen1, 42, 0, 3);
        var synAck = new ChitchatMessage.SynAck(digest, OneKeyDelta());
        synAck.SerializedLength.Should().Be(127);
        synAck.SerializeToArray()[57..].Should().Equal(expected[4..]);
    }

    [Fact]
    public void FromNodeDeltas_SetMaxVersionWithIPv6_Section96CompressedBlock()
    {
        var n1 = TestIds.Create("n1", 7, "[::1]:7280");
        var opStream = Hex(
            "00",                                              // op Node
            "02 00 6e 31",                                     // node_id "n1"
            "07 00 00 00 00 00 00 00",                         // generation 7
            "06",                                              // IPv6 tag
            "00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 01", // ::1
            "70 1c",                                           // port 7280 = 0x1c70 (LE)
            "05 00 00 00 00 00 00 00",                         // last_gc_version 5
            "03 00 00 00 00 00 00 00",                         // from_version_excluded 3
            "02",                                              // op SetMaxVersion
            "09 00 00 00 00 00 00 00");                        // max_version 9
        var framed = Hex(
            "01",                // block type 1 = Compressed
            "2c 00",             // frame length 44
            "28 b5 2f fd",       // zstd frame magic
            "20",                // frame header descriptor: single segment, no checksum, 1-byte content size
            "39",                // content size = 57
            "1d 01 00",          // zstd block header: last block, compressed, size 35
            "c8 00 02 00 6e 31 07 00 06 00 01 70 1c 05 00 03 00 02 09 00 00 00 00 00 00 00 04 10 00 03 0f 5a 62 cc 08",
            "00");               // NoMoreBlocks
        var nodeDelta = new NodeDelta(n1, lastGcVersion: 5, fromVersionExcluded: 3, maxVersion: 9, []);

        var delta = Delta.FromNodeDeltas([nodeDelta]);

        opStream.Should().HaveCount(57);
        framed.Should().HaveCount(48);
        delta.Encoded.ToArray().Should().Equal(framed);
        DecodeBlockStream(framed, out _).Should().Equal(opStream);
        TryDecodeDelta(framed, out var decoded, out _).Should().BeTrue();
        decoded.NodeDeltas.Should().Equal(nodeDelta);

        // The same op stream framed uncompressed (02 39 00 + 57 bytes + 00, 61 bytes) decodes identically.
        var rawFramed = Concat(RawBlock(opStream), [0]);
        rawFramed.Should().HaveCount(61);
        TryDecodeDelta(rawFramed, out var decodedRaw, out _).Should().BeTrue();
        decodedRaw.Should().Be(decoded);
        decodedRaw.DecodedLength.Should().Be(61);
    }

    [Fact]
    public void Finish_Td3Delta_Section97Bytes()
    {
        var expected = Hex(
            "01",          // block type 1 = Compressed
            "5e 00",       // frame length 94
            "28 b5 2f fd", // zstd magic
            "20",          // descriptor: single segment, 1-byte content size
            "b3",          // content size 179 (the raw op stream)
            "ad 02 00",    // zstd block header: last, compressed, 85 bytes
            "74 03 00 0a 00 6e 6f 64 65 2d 31 30 30 30 31 00 04 7f 00 00 01 11 27",
            "00 01 05 00 6b 65 79 31 31 05 00 76 61 6c 31 31 01 00 32 00 00 02 00 01 32 12 32 32 31 02 32 32 32 03 0c",
            "00 80 e0 9d 03 06 72 00 76 a0 66 70 08 2d 70 4c 73 d0 ce 0c 82 6c 81 ce 65 40 09",
            "00");         // NoMoreBlocks

        var delta = DeltaBuilderTests.BuildTd3Delta();

        expected.Should().HaveCount(98);
        delta.Encoded.ToArray().Should().Equal(expected);
        DecodeBlockStream(expected, out _).Should().HaveCount(44 + 24 + 19 + 44 + 24 + 24);
        TryDecodeDelta(expected, out var decoded, out _).Should().BeTrue();
        decoded.Should().Be(delta);
        decoded.NodeDeltas.Select(n => (n.ChitchatId.NodeId, n.MaxVersion, n.KeyValues.Count))
            .Should().Equal(("node-10001", 2UL, 2), ("node-10002", 3UL, 2));
        decoded.NodeDeltas[0].KeyValues[1].Should().Be(new KeyValueMutation("key12", string.Empty, 2, DeletionStatus.Deleted));
    }

    /// <summary>§9.5: Ack, node-10001 (gen 0, 127.0.0.1:10001), gc 0, from 0, "key" = "value" v1 Set.</summary>
    internal static byte[] OneKeyAckBytes() => Hex(
        "53 b0 00 02",                         // 0  header, type 2 = Ack
        "02",                                  // 4  block type 2 = Uncompressed
        "42 00",                               // 5  block length = 66
        "00",                                  // 7  op tag 0 = Node
        "0a 00 6e 6f 64 65 2d 31 30 30 30 31", // 8  node_id "node-10001"
        "00 00 00 00 00 00 00 00",             // 20 generation_id 0
        "04 7f 00 00 01 11 27",                // 28 127.0.0.1:10001
        "00 00 00 00 00 00 00 00",             // 35 last_gc_version 0
        "00 00 00 00 00 00 00 00",             // 43 from_version_excluded 0
        "01",                                  // 51 op tag 1 = KeyValue
        "03 00 6b 65 79",                      // 52 key "key"
        "05 00 76 61 6c 75 65",                // 57 value "value"
        "01 00 00 00 00 00 00 00",             // 64 version 1
        "00",                                  // 72 status 0 = Set
        "00");                                 // 73 block type 0 = NoMoreBlocks

    internal static Delta OneKeyDelta() =>
        Delta.FromNodeDeltas([new NodeDelta(TestIds.Node10001, 0, 0, 1, [new KeyValueMutation("key", "value", 1, DeletionStatus.Set)])]);

    private static void AssertBothDirections(ChitchatMessage message, byte[] expected)
    {
        message.SerializedLength.Should().Be(expected.Length);
        message.SerializeToArray().Should().Equal(expected);

        ChitchatMessage.TryDeserialize(expected, out var decoded, out var error).Should().BeTrue(error.ToString());
        decoded.Should().Be(message);
        decoded!.SerializedLength.Should().Be(expected.Length);
    }
}
