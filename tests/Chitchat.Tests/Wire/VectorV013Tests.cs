using System.Text.Json;
using Chitchat.Wire;

namespace Chitchat.Tests.Wire;

/// <summary>
/// The golden vectors of the Rust crate 0.13.0 (tests/vectors/chitchat-0.13.0.json): V0 and V1 twins of every
/// message type, digests of 0 to 1,000 members, MTU-truncated Acks, and decode verdicts for hostile V1 input.
/// </summary>
public sealed class VectorV013Tests
{
    public static TheoryData<string> MessageNames => Vectors.Names(Vectors.V013.Messages);

    public static TheoryData<string> DigestMessageNames =>
        Vectors.Names(Vectors.V013.Messages.Where(m => m.GetProperty("layout").TryGetProperty("digest_hex", out _)));

    public static TheoryData<string> DecodeErrorNames => Vectors.Names(Vectors.V013.DecodeErrors);

    public static TheoryData<string> ReplayedDecodeErrorNames =>
        Vectors.Names(Vectors.V013.Root.GetProperty("v0_compat_with_0_10_1").GetProperty("decode_errors_replayed").EnumerateArray());

    [Theory]
    [MemberData(nameof(MessageNames))]
    public void TryDeserialize_RustVector_DecodesToLogicalContentAndVersion(string name)
    {
        var vector = Vectors.Named(Vectors.V013.Messages, name);

        ChitchatMessage.TryDeserialize(Vectors.Hex(vector), out var message, out var error).Should().BeTrue(error.ToString());

        LogicalMessages.AssertMatches(message!, vector.GetProperty("logical"));
        message!.Version.Should().Be((ProtocolVersion)vector.GetProperty("protocol_version").GetByte());
        message.Should().Be(LogicalMessages.ToMessage(vector.GetProperty("logical")));
    }

    [Theory]
    [MemberData(nameof(MessageNames))]
    public void Serialize_DecodedRustVector_ReproducesRustBytes(string name)
    {
        var vector = Vectors.Named(Vectors.V013.Messages, name);
        ChitchatMessage.TryDeserialize(Vectors.Hex(vector), out var message, out _).Should().BeTrue();

        var encoded = message!.SerializeToArray();

        WireBytes.AssertSameExceptZstdFrames(Vectors.Hex(vector), encoded, name);
        message.SerializedLength.Should().Be(encoded.Length);
    }

    [Theory]
    [MemberData(nameof(MessageNames))]
    public void Serialize_LogicalContentOfRustVector_ReproducesRustBytes(string name)
    {
        var vector = Vectors.Named(Vectors.V013.Messages, name);
        var message = LogicalMessages.ToMessage(vector.GetProperty("logical"));

        var encoded = message.SerializeToArray();

        WireBytes.AssertSameExceptZstdFrames(Vectors.Hex(vector), encoded, name);
        message.SerializedLength.Should().Be(encoded.Length);
        WireBytes.ToHex(encoded.AsSpan(0, 4)).Should().Be(vector.GetProperty("layout").GetProperty("header_hex").GetString());
    }

    [Theory]
    [MemberData(nameof(DigestMessageNames))]
    public void DigestLayout_RustVector_SameBlocksLengthsAndContentInBothVersions(string name)
    {
        var vector = Vectors.Named(Vectors.V013.Messages, name);
        var layout = vector.GetProperty("layout");
        var message = LogicalMessages.ToMessage(vector.GetProperty("logical"));
        var digest = message is ChitchatMessage.Syn syn ? syn.Digest : ((ChitchatMessage.SynAck)message).Digest;

        digest.GetSerializedLength(ProtocolVersion.V0).Should().Be(layout.GetProperty("digest_len_if_v0").GetInt32());
        if (message.Version == ProtocolVersion.V1)
        {
            // The V1 digest is a block stream of V0 entries, cut every 16,384 bytes, raw where zstd does not help.
            var rustDigest = Vectors.Hex(layout, "digest_hex");
            WireBytes.ToHex(WireBytes.DecodeBlockStream(rustDigest, out var consumed))
                .Should().Be(layout.GetProperty("digest_entries_uncompressed_hex").GetString());
            consumed.Should().Be(rustDigest.Length);
            var expectedBlocks = layout.GetProperty("digest_blocks").EnumerateArray()
                .Select(b => ((byte)b.GetProperty("block_type").GetInt32(), b.GetProperty("payload_len").GetInt32()))
                .ToList();
            WireBytes.Blocks(rustDigest).Should().Equal(expectedBlocks);
            var ours = message.SerializeToArray().AsSpan(4, digest.GetSerializedLength(ProtocolVersion.V1)).ToArray();
            WireBytes.Blocks(ours).Select(b => b.Type).Should().Equal(expectedBlocks.Select(b => b.Item1));
            WireBytes.ToHex(WireBytes.DecodeBlockStream(ours, out _))
                .Should().Be(layout.GetProperty("digest_entries_uncompressed_hex").GetString());
        }
    }

    [Theory]
    [InlineData("ack_v1_delta_mtu_truncated")]
    [InlineData("ack_v0_delta_mtu_truncated")]
    public void DeltaBuilder_AckBudgetOf013_CutsWhereRustCuts(string name)
    {
        var vector = Vectors.Named(Vectors.V013.Messages, name);
        var mtu = vector.GetProperty("mtu").GetInt32();
        mtu.Should().Be(65_503, "chitchat 0.13 reserves the 4-byte header");
        var included = vector.GetProperty("logical").GetProperty("delta").EnumerateArray().Select(LogicalMessages.ToNodeDelta).ToList();
        included.Should().HaveCount(vector.GetProperty("included_node_deltas").GetInt32());

        // The input went on beyond what fit: the last included node had 4 keys of 60 characters, and more members
        // followed. Whether an op fits depends only on its length and on what was admitted before, so 60-character
        // stand-ins for the keys that were cut give the same cut.
        using var builder = new DeltaBuilder(mtu);
        var cut = false;
        foreach (var nodeDelta in included)
        {
            builder.TryAddNode(nodeDelta.ChitchatId, nodeDelta.LastGcVersion, nodeDelta.FromVersionExcluded).Should().BeTrue();
            foreach (var keyValue in nodeDelta.KeyValues)
            {
                builder.TryAddKeyValue(keyValue).Should().BeTrue();
            }

            for (var version = (ulong)nodeDelta.KeyValues.Count + 1; version <= 4 && !cut; version++)
            {
                cut = !builder.TryAddKeyValue($"shard-{version - 1}", new string('x', 60), version, DeletionStatus.Set);
                cut.Should().BeTrue($"Rust stopped after {nodeDelta.KeyValues.Count} keys of the last node");
            }
        }

        cut.Should().BeTrue();
        var delta = builder.Finish();
        WireBytes.AssertSameExceptZstdFrames(
            Vectors.Hex(vector), new ChitchatMessage.Ack(delta, Vectors.Version(vector.GetProperty("logical"))).SerializeToArray(), name);
    }

    [Theory]
    [MemberData(nameof(DecodeErrorNames))]
    public void TryDeserialize_DecodeErrorVector_GivesRustVerdict(string name) =>
        AssertVerdict(Vectors.Named(Vectors.V013.DecodeErrors, name));

    [Theory]
    [MemberData(nameof(ReplayedDecodeErrorNames))]
    public void TryDeserialize_010DecodeErrorVector_Gives013Verdict(string name)
    {
        var replayed = Vectors.Named(
            Vectors.V013.Root.GetProperty("v0_compat_with_0_10_1").GetProperty("decode_errors_replayed").EnumerateArray(), name);
        var verdict = replayed.GetProperty("chitchat_0_13_0");
        var bytes = Vectors.Hex(replayed);

        var accepted = ChitchatMessage.TryDeserialize(bytes, out var message, out var error);

        accepted.Should().Be(verdict.GetProperty("accepted").GetBoolean(), error.ToString());
        if (!accepted)
        {
            error.Kind.Should().Be(RustErrors.ToKind(verdict.GetProperty("error").GetString()!));
        }
        else
        {
            LogicalMessages.AssertMatches(message!, verdict.GetProperty("decoded"));
        }
    }

    [Fact]
    public void V0Compatibility_Every010VectorStillDecodesAndReencodesIdentically()
    {
        var compat = Vectors.V013.Root.GetProperty("v0_compat_with_0_10_1");
        compat.GetProperty("messages_reencoded_identical").GetInt32().Should().Be(compat.GetProperty("messages_checked").GetInt32());
        foreach (var vector in Vectors.WireMessages)
        {
            var bytes = Vectors.Hex(vector);
            ChitchatMessage.TryDeserialize(bytes, out var message, out _).Should().BeTrue();
            message!.Version.Should().Be(ProtocolVersion.V0);
            message.SerializeToArray().Should().Equal(bytes);
        }
    }

    internal static void AssertVerdict(JsonElement vector)
    {
        var bytes = Vectors.Hex(vector);

        var accepted = ChitchatMessage.TryDeserialize(bytes, out var message, out var error);

        accepted.Should().Be(vector.GetProperty("accepted").GetBoolean(), error.ToString());
        if (accepted)
        {
            LogicalMessages.AssertMatches(message!, vector.GetProperty("decoded"));
            message!.Should().Be(LogicalMessages.ToMessage(vector.GetProperty("decoded")));
        }
        else
        {
            error.Kind.Should().Be(RustErrors.ToKind(vector.GetProperty("error").GetString()!));
        }
    }
}
