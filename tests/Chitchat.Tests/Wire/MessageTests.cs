using System.Buffers;
using Chitchat.Wire;

namespace Chitchat.Tests.Wire;

/// <summary>Port of chitchat <c>message.rs</c> tests (TB1–TB4) and the envelope-level API of <see cref="ChitchatMessage"/>.</summary>
public sealed class MessageTests
{
    [Fact]
    public void Serialize_SynWithEmptyDigest_RoundTripsIn17Bytes()
    {
        // TB1 (a)
        AssertRoundTrip(new ChitchatMessage.Syn("cluster-a", new Digest()), 17);
    }

    [Fact]
    public void Serialize_SynWithOneNodeDigest_RoundTripsIn68Bytes()
    {
        // TB1 (b): node 10001, heartbeat 0, gc 0, max 0.
        var digest = new Digest();
        digest.Add(TestIds.Node10001, 0, 0, 0);

        AssertRoundTrip(new ChitchatMessage.Syn("cluster-a", digest), 68);
    }

    [Fact]
    public void Serialize_EmptySynAck_RoundTripsIn7Bytes()
    {
        // TB2 (a)
        AssertRoundTrip(new ChitchatMessage.SynAck(new Digest(), Delta.Empty), 7);
    }

    [Fact]
    public void Serialize_SynAckWithDigestAndOneKeyDelta_RoundTripsIn127Bytes()
    {
        // TB2 (b): 53-byte digest + 70-byte delta (one uncompressed block: 1 + 2 + 66 + 1).
        var digest = new Digest();
        digest.Add(TestIds.Node10001, 0, 0, 0);
        var delta = GoldenExampleTests.OneKeyDelta();

        digest.SerializedLength.Should().Be(53);
        delta.SerializedLength.Should().Be(70);
        AssertRoundTrip(new ChitchatMessage.SynAck(digest, delta), 2 + 1 + 1 + 53 + 70);
    }

    [Fact]
    public void Serialize_EmptyAck_RoundTripsIn5Bytes()
    {
        // TB3 (a)
        AssertRoundTrip(new ChitchatMessage.Ack(Delta.Empty), 5);
    }

    [Fact]
    public void Serialize_AckWithOneKeyDelta_RoundTripsIn74Bytes()
    {
        // TB3 (b), exact bytes in GoldenExampleTests §9.5.
        var bytes = AssertRoundTrip(new ChitchatMessage.Ack(GoldenExampleTests.OneKeyDelta()), 74);

        bytes.Should().Equal(GoldenExampleTests.OneKeyAckBytes());
    }

    [Fact]
    public void Serialize_BadCluster_RoundTripsIn4Bytes()
    {
        // TB4
        AssertRoundTrip(ChitchatMessage.BadCluster.Instance, 4);
    }

    [Fact]
    public void Serialize_BuilderDeltaInAck_UsesTheBuilderBytes()
    {
        var delta = DeltaBuilderTests.BuildTd3Delta();

        var bytes = AssertRoundTrip(new ChitchatMessage.Ack(delta), 4 + 98);

        bytes[4..].Should().Equal(delta.Encoded.ToArray());
    }

    [Fact]
    public void Constructor_ClusterIdLongerThan65535Bytes_ThrowsArgumentException()
    {
        var clusterId = new string('é', 32_768); // 65,536 UTF-8 bytes in 32,768 chars

        var create = () => new ChitchatMessage.Syn(clusterId, new Digest());

        create.Should().Throw<ArgumentException>().WithMessage("*65536 UTF-8 bytes*at most 65535*");
    }

    [Fact]
    public void Serialize_DestinationTooSmall_ThrowsArgumentException()
    {
        var syn = new ChitchatMessage.Syn("cluster-a", new Digest());

        var serialize = () => syn.Serialize(new byte[16]);

        serialize.Should().Throw<ArgumentException>().WithParameterName("destination");
    }

    [Fact]
    public void TrySerialize_DestinationTooSmall_ReturnsFalseAndWritesNothing()
    {
        var syn = new ChitchatMessage.Syn("cluster-a", new Digest());
        var destination = new byte[16];

        syn.TrySerialize(destination, out var written).Should().BeFalse();

        written.Should().Be(0);
        destination.Should().OnlyContain(b => b == 0);
    }

    [Fact]
    public void TrySerialize_LargerDestination_WritesExactlySerializedLength()
    {
        var ack = new ChitchatMessage.Ack(GoldenExampleTests.OneKeyDelta());
        var destination = new byte[200];

        ack.TrySerialize(destination, out var written).Should().BeTrue();

        written.Should().Be(74);
        destination[..74].Should().Equal(GoldenExampleTests.OneKeyAckBytes());
        destination[74..].Should().OnlyContain(b => b == 0);
    }

    [Fact]
    public void Serialize_BufferWriter_AppendsTheMessage()
    {
        var writer = new ArrayBufferWriter<byte>();
        writer.Write<byte>([0xAA]);

        new ChitchatMessage.Ack(GoldenExampleTests.OneKeyDelta()).Serialize(writer);

        writer.WrittenSpan.ToArray().Should().Equal([0xAA, .. GoldenExampleTests.OneKeyAckBytes()]);
    }

    [Fact]
    public void TryDeserialize_MessageThenTrailingBytes_IgnoresTrailingBytes()
    {
        byte[] datagram = [.. GoldenExampleTests.OneKeyAckBytes(), 0x00, 0xFF, 0x53];

        ChitchatMessage.TryDeserialize(datagram, out var message, out _).Should().BeTrue();

        message.Should().Be(new ChitchatMessage.Ack(GoldenExampleTests.OneKeyDelta()));
        ((ChitchatMessage.Ack)message!).Delta.DecodedLength.Should().Be(70);
    }

    [Fact]
    public void TryDecode_ValidDatagram_SameResultAsTryDeserialize()
    {
        var bytes = GoldenExampleTests.OneKeyAckBytes();

        MessageCodec.TryDecode(bytes, out var viaCodec, out var error).Should().BeTrue();

        error.Should().Be(default(DecodeError));
        ChitchatMessage.TryDeserialize(bytes, out var viaMessage, out _).Should().BeTrue();
        viaCodec.Should().Be(viaMessage);
    }

    [Fact]
    public void Equals_DifferentTypesAndContents_AreNotEqual()
    {
        var a = new ChitchatMessage.Syn("a", new Digest());

        a.Should().Be(new ChitchatMessage.Syn("a", new Digest()));
        a.Should().NotBe(new ChitchatMessage.Syn("b", new Digest()));
        new ChitchatMessage.Ack(Delta.Empty).Should().NotBe(new ChitchatMessage.Ack(GoldenExampleTests.OneKeyDelta()));
        new ChitchatMessage.Ack(Delta.Empty).Should().NotBe(new ChitchatMessage.SynAck(new Digest(), Delta.Empty));
    }

    /// <summary>Rust's <c>test_serdeser_aux</c> for messages; returns the encoded bytes.</summary>
    private static byte[] AssertRoundTrip(ChitchatMessage message, int expectedLength)
    {
        message.SerializedLength.Should().Be(expectedLength);
        var bytes = message.SerializeToArray();
        bytes.Should().HaveCount(expectedLength);

        ChitchatMessage.TryDeserialize(bytes, out var decoded, out var error).Should().BeTrue(error.ToString());
        decoded.Should().Be(message);
        decoded!.Type.Should().Be(message.Type);
        decoded.SerializedLength.Should().Be(expectedLength);
        decoded.SerializeToArray().Should().Equal(bytes);
        return bytes;
    }
}
