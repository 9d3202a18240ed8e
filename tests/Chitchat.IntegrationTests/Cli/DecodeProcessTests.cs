using System.Net;
using System.Text;
using System.Text.Json;
using Chitchat.Wire;

namespace Chitchat.IntegrationTests.Cli;

/// <summary>
/// <c>chitchat decode</c> on the worked examples of PROTOCOL.md §9. Round trip: the bytes are decoded by the
/// command, the message it describes is rebuilt from its JSON with the library, and encoded back to the same bytes.
/// </summary>
public sealed class DecodeProcessTests
{
    // PROTOCOL.md §9.1
    private const string BadClusterHex = "53b00003";

    // PROTOCOL.md §9.3: Syn, digest entry node-10001 / generation 1 / 127.0.0.1:10001, heartbeat 42, max version 3.
    private const string SynHex =
        "53 b0 00 00 01 00 0a 00 6e 6f 64 65 2d 31 30 30 30 31 01 00 00 00 00 00 00 00 04 7f 00 00 01 11 27 " +
        "2a 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 03 00 00 00 00 00 00 00 09 00 63 6c 75 73 74 65 72 2d 61";

    // PROTOCOL.md §9.4
    private const string EmptySynAckHex = "53b00001000000";

    // PROTOCOL.md §9.5: Ack whose delta sets key=value (version 1) on node-10001, in one uncompressed block.
    private const string AckHex =
        "53b0000202420000" + "0a006e6f64652d3130303031" + "0000000000000000" + "047f0000011127" +
        "0000000000000000" + "0000000000000000" + "0103006b6579" + "050076616c7565" + "0100000000000000" + "00" + "00";

    // PROTOCOL.md §9.7: a zstd-compressed delta of two nodes (98 bytes), sent here inside an Ack.
    private const string CompressedAckHex =
        "53 b0 00 02 " +
        "01 5e 00 28 b5 2f fd 20 b3 ad 02 00 74 03 00 0a 00 6e 6f 64 65 2d 31 30 30 30 31 00 04 7f 00 00 01 11 27 " +
        "00 01 05 00 6b 65 79 31 31 05 00 76 61 6c 31 31 01 00 32 00 00 02 00 01 32 12 32 32 31 02 32 32 32 03 0c " +
        "00 80 e0 9d 03 06 72 00 76 a0 66 70 08 2d 70 4c 73 d0 ce 0c 82 6c 81 ce 65 40 09 00";

    private static readonly TimeSpan s_timeout = TimeSpan.FromSeconds(20);
    private static readonly ChitchatId s_node10001 = new("node-10001", 0, new IPEndPoint(IPAddress.Loopback, 10001));

    [Fact]
    public async Task Decode_BadCluster_PrintsTheTypeAndRoundTrips()
    {
        var (json, bytes) = await DecodeHexAsync(BadClusterHex);

        json.GetProperty("type").GetString().Should().Be("BadCluster");
        json.GetProperty("protocol_version").GetInt32().Should().Be(0);
        json.GetProperty("length").GetInt32().Should().Be(4);
        json.TryGetProperty("digest", out _).Should().BeFalse();
        ChitchatMessage.BadCluster.Instance.SerializeToArray().Should().Equal(bytes);
    }

    [Fact]
    public async Task Decode_V1Syn_PrintsTheVersionAndTheDecompressedDigest()
    {
        // The Syn of node-c (generation 3, 127.0.0.1:10003, heartbeat 1) to cluster "other-cluster" in protocol V1:
        // its digest is one zstd block (the 0.13.0 transcript's bad-cluster step).
        var v1Syn = new ChitchatMessage.Syn(
            "other-cluster",
            DigestOf(new ChitchatId("node-c", 3, IPEndPoint.Parse("127.0.0.1:10003")), 1),
            ProtocolVersion.V1).SerializeToArray();

        var (json, _) = await DecodeHexAsync(Convert.ToHexString(v1Syn));

        json.GetProperty("type").GetString().Should().Be("Syn");
        json.GetProperty("protocol_version").GetInt32().Should().Be(1);
        json.GetProperty("length").GetInt32().Should().Be(v1Syn.Length);
        json.GetProperty("cluster_id").GetString().Should().Be("other-cluster");
        var entry = json.GetProperty("digest").EnumerateArray().Single();
        ToChitchatId(entry.GetProperty("chitchat_id")).Should().Be(new ChitchatId("node-c", 3, IPEndPoint.Parse("127.0.0.1:10003")));
        entry.GetProperty("heartbeat").GetUInt64().Should().Be(1);
        (v1Syn[4], v1Syn[5]).Should().Be(((byte)1, (byte)0x24), "the digest is one compressed block");
    }

    [Fact]
    public async Task Decode_AckWithOneKey_PrintsTheNodeDeltaAndRoundTrips()
    {
        var (json, bytes) = await DecodeHexAsync(AckHex);
        bytes.Should().HaveCount(74);

        json.GetProperty("type").GetString().Should().Be("Ack");
        json.GetProperty("length").GetInt32().Should().Be(74);
        var delta = json.GetProperty("delta");
        delta.GetProperty("encoded_length").GetInt32().Should().Be(70);
        var nodeDelta = delta.GetProperty("node_deltas").EnumerateArray().Single();
        var rebuilt = new ChitchatMessage.Ack(Delta.FromNodeDeltas([ToNodeDelta(nodeDelta)]));

        rebuilt.SerializeToArray().Should().Equal(bytes, "the JSON holds everything the datagram says");
        var chitchatId = nodeDelta.GetProperty("chitchat_id");
        chitchatId.GetProperty("node_id").GetString().Should().Be("node-10001");
        chitchatId.GetProperty("gossip_advertise_addr").GetString().Should().Be("127.0.0.1:10001");
        var keyValue = nodeDelta.GetProperty("key_values").EnumerateArray().Single();
        keyValue.GetProperty("key").GetString().Should().Be("key");
        keyValue.GetProperty("value").GetString().Should().Be("value");
        keyValue.GetProperty("version").GetUInt64().Should().Be(1);
        keyValue.GetProperty("status").GetString().Should().Be("Set");
    }

    [Fact]
    public async Task Decode_SynFromStdinHex_PrintsClusterAndDigestAndRoundTrips()
    {
        var result = await CliTool.RunAsync(s_timeout, Encoding.ASCII.GetBytes(SynHex + "\n"), "decode");
        result.ExitCode.Should().Be(0, result.ToString());
        var json = JsonDocument.Parse(result.StandardOutput).RootElement;

        json.GetProperty("type").GetString().Should().Be("Syn");
        json.GetProperty("length").GetInt32().Should().Be(68);
        json.GetProperty("cluster_id").GetString().Should().Be("cluster-a");
        var entry = json.GetProperty("digest").EnumerateArray().Single();
        entry.GetProperty("heartbeat").GetUInt64().Should().Be(42);
        entry.GetProperty("last_gc_version").GetUInt64().Should().Be(0);
        entry.GetProperty("max_version").GetUInt64().Should().Be(3);

        var digest = new Digest();
        digest.Add(
            ToChitchatId(entry.GetProperty("chitchat_id")),
            entry.GetProperty("heartbeat").GetUInt64(),
            entry.GetProperty("last_gc_version").GetUInt64(),
            entry.GetProperty("max_version").GetUInt64());
        new ChitchatMessage.Syn(json.GetProperty("cluster_id").GetString()!, digest).SerializeToArray()
            .Should().Equal(Convert.FromHexString(SynHex.Replace(" ", string.Empty, StringComparison.Ordinal)));
    }

    [Fact]
    public async Task Decode_EmptySynAckFromRawFile_PrintsAnEmptyDigestAndDelta()
    {
        var path = Path.Combine(Path.GetTempPath(), $"chitchat-synack-{Guid.NewGuid():N}.bin");
        await File.WriteAllBytesAsync(path, Convert.FromHexString(EmptySynAckHex));
        try
        {
            var result = await CliTool.RunAsync(s_timeout, null, "decode", "--file", path);
            result.ExitCode.Should().Be(0, result.ToString());
            var json = JsonDocument.Parse(result.StandardOutput).RootElement;

            json.GetProperty("type").GetString().Should().Be("SynAck");
            json.GetProperty("length").GetInt32().Should().Be(7);
            json.GetProperty("digest").GetArrayLength().Should().Be(0);
            json.GetProperty("delta").GetProperty("node_deltas").GetArrayLength().Should().Be(0);
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public async Task Decode_RawBytesOnStdin_AreDecodedAsIs()
    {
        var result = await CliTool.RunAsync(s_timeout, Convert.FromHexString(AckHex), "decode");

        result.ExitCode.Should().Be(0, result.ToString());
        JsonDocument.Parse(result.StandardOutput).RootElement.GetProperty("type").GetString().Should().Be("Ack");
    }

    [Fact]
    public async Task Decode_CompressedDelta_PrintsBothNodesWithTheirOperations()
    {
        var (json, _) = await DecodeHexAsync(CompressedAckHex);

        var nodeDeltas = json.GetProperty("delta").GetProperty("node_deltas").EnumerateArray().ToList();
        nodeDeltas.Select(n => n.GetProperty("chitchat_id").GetProperty("node_id").GetString()).Should().Equal("node-10001", "node-10002");
        var first = nodeDeltas[0].GetProperty("key_values").EnumerateArray()
            .Select(kv => (kv.GetProperty("key").GetString(), kv.GetProperty("value").GetString(), kv.GetProperty("version").GetUInt64(), kv.GetProperty("status").GetString()));
        first.Should().Equal(("key11", "val11", 1UL, "Set"), ("key12", string.Empty, 2UL, "Delete"));
        var second = nodeDeltas[1].GetProperty("key_values").EnumerateArray().Select(kv => kv.GetProperty("key").GetString());
        second.Should().Equal("key21", "key22");
        json.GetProperty("delta").GetProperty("encoded_length").GetInt32().Should().Be(98);
    }

    [Theory]
    [InlineData("deadbeef", "invalid chitchat magic number")]
    [InlineData("53b0", "buffer too small")]
    [InlineData("53b00203", "invalid protocol version")]
    [InlineData("53b00004", "invalid message type")]
    [InlineData("53b0000202420000", "buffer too short")]
    public async Task Decode_MalformedDatagram_PrintsTheErrorAndExitsWithCode1(string hex, string expectedError)
    {
        var result = await CliTool.RunAsync(s_timeout, null, "decode", "--hex", hex);

        result.ExitCode.Should().Be(1, result.ToString());
        result.StandardError.Should().Contain("malformed chitchat datagram").And.Contain(expectedError);
        result.StandardOutput.Should().BeEmpty();
    }

    [Fact]
    public async Task Decode_TruncatedAck_ExitsWithCode1()
    {
        var result = await CliTool.RunAsync(s_timeout, null, "decode", "--hex", AckHex[..60]);

        result.ExitCode.Should().Be(1, result.ToString());
        result.StandardError.Should().Contain("malformed chitchat datagram (30 bytes)");
    }

    [Fact]
    public async Task Decode_NotHex_ExitsWithCode1()
    {
        var result = await CliTool.RunAsync(s_timeout, null, "decode", "--hex", "53b0zz");

        result.ExitCode.Should().Be(1, result.ToString());
        result.StandardError.Should().Contain("not a hex digit");
    }

    [Fact]
    public async Task Decode_NoInput_ExitsWithCode2()
    {
        var result = await CliTool.RunAsync(s_timeout, [], "decode");

        result.ExitCode.Should().Be(2, result.ToString());
        result.StandardError.Should().Contain("no input");
    }

    private static async Task<(JsonElement Json, byte[] Bytes)> DecodeHexAsync(string hex)
    {
        var result = await CliTool.RunAsync(s_timeout, null, "decode", "--hex", hex);
        result.ExitCode.Should().Be(0, result.ToString());
        return (JsonDocument.Parse(result.StandardOutput).RootElement.Clone(), Convert.FromHexString(hex.Replace(" ", string.Empty, StringComparison.Ordinal)));
    }

    private static Digest DigestOf(ChitchatId id, ulong heartbeat)
    {
        var digest = new Digest();
        digest.Add(id, heartbeat, 0, 0);
        return digest;
    }

    private static ChitchatId ToChitchatId(JsonElement json) =>
        new(
            json.GetProperty("node_id").GetString()!,
            json.GetProperty("generation_id").GetUInt64(),
            IPEndPoint.Parse(json.GetProperty("gossip_advertise_addr").GetString()!));

    private static NodeDelta ToNodeDelta(JsonElement json)
    {
        var id = ToChitchatId(json.GetProperty("chitchat_id"));
        id.Should().Be(s_node10001);
        var keyValues = json.GetProperty("key_values").EnumerateArray()
            .Select(kv => new KeyValueMutation(
                kv.GetProperty("key").GetString()!,
                kv.GetProperty("value").GetString()!,
                kv.GetProperty("version").GetUInt64(),
                Enum.Parse<DeletionStatus>(kv.GetProperty("status").GetString() == "Delete" ? "Deleted" : kv.GetProperty("status").GetString()!)))
            .ToList();
        return new NodeDelta(
            id,
            json.GetProperty("last_gc_version").GetUInt64(),
            json.GetProperty("from_version_excluded").GetUInt64(),
            json.GetProperty("max_version").GetUInt64(),
            keyValues);
    }
}
