using System.Net;
using Chitchat.Wire;

namespace Chitchat.Tests.Wire;

/// <summary>
/// Port of chitchat <c>serialize.rs</c> primitive tests (TA1–TA4), <c>delta.rs</c> <c>test_delta_op_tag</c>
/// (TD9) and <c>types.rs</c> <c>test_deletion_status_to_u8</c> (TE1).
/// </summary>
public sealed class PrimitiveTests
{
    [Fact]
    public void WriteBool_True_RoundTripsInOneByte()
    {
        // TA1 test_serialize_bool
        var bytes = WireBytes.Write((ref WireWriter w) => w.WriteBool(true));

        bytes.Should().Equal(0x01);
        var reader = new WireReader(bytes);
        reader.TryReadBool(out var value).Should().BeTrue();
        value.Should().BeTrue();
        reader.IsEmpty.Should().BeTrue();
    }

    [Theory]
    [InlineData(0x00, false)]
    [InlineData(0x01, true)]
    [InlineData(0x02, true)] // any non-zero byte is true, as in Rust
    [InlineData(0xFF, true)]
    public void TryReadBool_AnyByte_NonZeroIsTrue(byte raw, bool expected)
    {
        var reader = new WireReader([raw]);

        reader.TryReadBool(out var value).Should().BeTrue();

        value.Should().Be(expected);
    }

    [Fact]
    public void WriteChitchatId_NodeIdGeneration1_RoundTripsIn24Bytes()
    {
        // TA2 test_serialize_chitchat_id: 2 + 7 + 8 + 7 bytes.
        var id = TestIds.Create("node-id", 1, "127.0.0.1:7280");

        var bytes = WireBytes.Write((ref WireWriter w) => w.WriteChitchatId(id));

        bytes.Should().Equal(WireBytes.Hex(
            "07 00 6e 6f 64 65 2d 69 64", // node_id "node-id"
            "01 00 00 00 00 00 00 00",    // generation_id 1
            "04 7f 00 00 01",             // IPv4 127.0.0.1
            "70 1c"));                    // port 7280, little-endian
        id.SerializedLength.Should().Be(24);
        var reader = new WireReader(bytes);
        reader.TryReadChitchatId(out var decoded).Should().BeTrue();
        decoded.Should().Be(id);
        reader.IsEmpty.Should().BeTrue();
    }

    [Fact]
    public void WriteU64_Heartbeat1_RoundTripsIn8Bytes()
    {
        // TA3 test_serialize_heartbeat
        var bytes = WireBytes.Write((ref WireWriter w) => w.WriteU64(1));

        bytes.Should().Equal(0x01, 0, 0, 0, 0, 0, 0, 0);
        new WireReader(bytes).TryReadU64(out var heartbeat).Should().BeTrue();
        heartbeat.Should().Be(1UL);
    }

    [Theory]
    [InlineData("127.1.3.9", "04 7f 01 03 09")]                                        // TA4 IPv4: 5 bytes
    [InlineData("1:203:405:607:809:a0b:c0d:e0f", "06 000102030405060708090a0b0c0d0e0f")] // TA4 IPv6 octets 0..15: 17 bytes
    [InlineData("::ffff:10.1.2.3", "04 0a 01 02 03")]                                  // IPv4-mapped IPv6 is written as IPv4
    public void WriteIpAddress_Address_RoundTripsWithTagAndOctets(string text, string expectedHex)
    {
        var address = IPAddress.Parse(text);

        var bytes = WireBytes.Write((ref WireWriter w) => w.WriteIpAddress(address));

        bytes.Should().Equal(WireBytes.Hex(expectedHex));
        var reader = new WireReader(bytes);
        reader.TryReadIpAddress(out var decoded).Should().BeTrue();
        decoded.Should().Be(address.IsIPv4MappedToIPv6 ? address.MapToIPv4() : address);
        reader.IsEmpty.Should().BeTrue();
    }

    [Fact]
    public void TryReadIpAddress_IPv6_HasNoScopeId()
    {
        var bytes = WireBytes.Write((ref WireWriter w) => w.WriteIpAddress(IPAddress.Parse("fe80::1%3")));

        new WireReader(bytes).TryReadIpAddress(out var decoded).Should().BeTrue();

        decoded.ScopeId.Should().Be(0);
        decoded.Should().Be(IPAddress.Parse("fe80::1"));
    }

    [Fact]
    public void TryRead_DeltaWithEveryOpTagByte_ExactlyThreeTagsAreValid()
    {
        // TD9 test_delta_op_tag. A lone tag byte is a truncated op for the 3 valid tags, an unknown tag otherwise.
        var valid = new List<byte>();
        for (var b = 0; b <= byte.MaxValue; b++)
        {
            WireBytes.TryDecodeDelta(WireBytes.Concat(WireBytes.RawBlock([(byte)b]), [0]), out _, out var error)
                .Should().BeFalse();
            if (error.Kind != DecodeErrorKind.InvalidOpTag)
            {
                error.Kind.Should().Be(DecodeErrorKind.Truncated);
                valid.Add((byte)b);
            }
        }

        valid.Should().Equal(DeltaOps.NodeTag, DeltaOps.KeyValueTag, DeltaOps.SetMaxVersionTag);
        valid.Should().Equal(0, 1, 2);

        // Each valid tag is what the encoder writes first for its op.
        WireBytes.NodeOp(TestIds.Node10001, 0, 0)[0].Should().Be(0);
        WireBytes.KeyValueOp("k", "v", 1)[0].Should().Be(1);
        WireBytes.SetMaxVersionOp(1)[0].Should().Be(2);
    }

    [Fact]
    public void TryRead_KeyValueWithEveryStatusByte_ExactlyThreeCodesAreValidAndRoundTrip()
    {
        // TE1 test_deletion_status_to_u8: a KeyValue op with status byte b after a valid Node op.
        var valid = new List<DeletionStatus>();
        for (var b = 0; b <= byte.MaxValue; b++)
        {
            var ops = WireBytes.Concat(WireBytes.NodeOp(TestIds.Node10001, 0, 0), WireBytes.KeyValueOp("k", "v", 1, (byte)b));
            if (WireBytes.TryDecodeDelta(WireBytes.Concat(WireBytes.RawBlock(ops), [0]), out var delta, out var error))
            {
                var status = delta.NodeDeltas.Single().KeyValues.Single().Status;
                ((byte)status).Should().Be((byte)b);
                Delta.FromNodeDeltas(delta.NodeDeltas).Encoded.ToArray().Should().Equal(WireBytes.Concat(WireBytes.RawBlock(ops), [0]));
                valid.Add(status);
            }
            else
            {
                error.Kind.Should().Be(DecodeErrorKind.InvalidDeletionStatus);
            }
        }

        valid.Should().Equal(DeletionStatus.Set, DeletionStatus.Deleted, DeletionStatus.DeleteAfterTtl);
        ((byte[])[(byte)DeletionStatus.Set, (byte)DeletionStatus.Deleted, (byte)DeletionStatus.DeleteAfterTtl]).Should().Equal(0, 1, 2);
    }

    [Theory]
    [InlineData(65_535, true)]
    [InlineData(65_536, false)]
    public void WriteString_Utf8LengthAroundU16Max_ThrowsOnlyAbove65535Bytes(int byteCount, bool fits)
    {
        // 3-byte characters: the limit is on UTF-8 bytes, not on chars.
        var value = new string('€', byteCount / 3) + new string('x', byteCount % 3);

        var write = () => WireBytes.Write((ref WireWriter w) => w.WriteString(value));

        if (fits)
        {
            write().Should().HaveCount(2 + 65_535).And.StartWith(new byte[] { 0xFF, 0xFF });
        }
        else
        {
            write.Should().Throw<ArgumentException>().WithMessage("*65536 UTF-8 bytes*at most 65535*");
        }
    }
}
