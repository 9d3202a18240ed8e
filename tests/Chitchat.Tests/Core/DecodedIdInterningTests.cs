using System.Buffers.Binary;
using System.Net;
using System.Text;
using Chitchat.Wire;

namespace Chitchat.Tests.Core;

/// <summary>
/// Decoding an id reuses the instance decoded earlier from the same bytes (<see cref="ChitchatIdCache"/>):
/// the result must always equal a fresh decode, and malformed input must fail exactly as before.
/// </summary>
public sealed class DecodedIdInterningTests
{
    private static byte[] Encode(byte[] nodeIdUtf8, ulong generation, byte tag, byte[] address, ushort port)
    {
        var bytes = new byte[2 + nodeIdUtf8.Length + 8 + 1 + address.Length + 2];
        BinaryPrimitives.WriteUInt16LittleEndian(bytes, (ushort)nodeIdUtf8.Length);
        nodeIdUtf8.CopyTo(bytes, 2);
        var offset = 2 + nodeIdUtf8.Length;
        BinaryPrimitives.WriteUInt64LittleEndian(bytes.AsSpan(offset), generation);
        bytes[offset + 8] = tag;
        address.CopyTo(bytes, offset + 9);
        BinaryPrimitives.WriteUInt16LittleEndian(bytes.AsSpan(offset + 9 + address.Length), port);
        return bytes;
    }

    private static byte[] Encode(string nodeId, ulong generation, IPAddress address, ushort port) =>
        Encode(Encoding.UTF8.GetBytes(nodeId), generation, address.GetAddressBytes().Length == 4 ? (byte)4 : (byte)6, address.GetAddressBytes(), port);

    private static bool TryDecode(byte[] bytes, out ChitchatId id, out DecodeError error)
    {
        var reader = new WireReader(bytes);
        var ok = reader.TryReadChitchatId(out id);
        error = reader.Error;
        if (ok)
        {
            reader.Position.Should().Be(bytes.Length);
        }

        return ok;
    }

    [Fact]
    public void TryReadChitchatId_SameBytesTwice_ReturnsSameInstanceEqualToConstructedId()
    {
        var bytes = Encode("interning-node-a", 17, IPAddress.Parse("10.1.2.3"), 7280);
        TryDecode(bytes, out var first, out _).Should().BeTrue();
        TryDecode(bytes, out var second, out _).Should().BeTrue();
        second.Should().BeSameAs(first);
        second.Should().Be(new ChitchatId("interning-node-a", 17, IPEndPoint.Parse("10.1.2.3:7280")));
        second.GossipAdvertiseAddr.Should().Be(IPEndPoint.Parse("10.1.2.3:7280"));
    }

    [Fact]
    public void TryReadChitchatId_DifferentPortOrGeneration_IsADifferentId()
    {
        var id = DecodeOk(Encode("interning-node-b", 1, IPAddress.Parse("10.0.0.1"), 7280));
        DecodeOk(Encode("interning-node-b", 2, IPAddress.Parse("10.0.0.1"), 7280)).Should().NotBe(id);
        DecodeOk(Encode("interning-node-b", 1, IPAddress.Parse("10.0.0.1"), 7281)).Should().NotBe(id);
        DecodeOk(Encode("interning-node-b", 1, IPAddress.Parse("10.0.0.2"), 7280)).Should().NotBe(id);
        DecodeOk(Encode("interning-node-b", 1, IPAddress.Parse("10.0.0.1"), 7280)).Should().BeSameAs(id);
    }

    [Fact]
    public void TryReadChitchatId_IPv4MappedEncoding_IsIPv4FromTheCacheToo()
    {
        var bytes = Encode("interning-node-c", 3, IPAddress.Parse("10.0.0.9").MapToIPv6(), 7280);
        bytes[2 + "interning-node-c".Length + 8].Should().Be(6);
        var expected = new ChitchatId("interning-node-c", 3, IPEndPoint.Parse("10.0.0.9:7280"));
        DecodeOk(bytes).Should().Be(expected);
        var again = DecodeOk(bytes);
        again.Should().Be(expected);
        again.GossipAdvertiseAddr.Address.Should().Be(IPAddress.Parse("10.0.0.9"));
    }

    [Fact]
    public void TryReadChitchatId_IPv6_RoundTripsThroughTheCache()
    {
        var bytes = Encode("interning-node-d", 4, IPAddress.Parse("fd00::42"), 7280);
        var first = DecodeOk(bytes);
        DecodeOk(bytes).Should().BeSameAs(first).And.Be(new ChitchatId("interning-node-d", 4, IPEndPoint.Parse("[fd00::42]:7280")));
    }

    [Fact]
    public void TryReadChitchatId_LongNodeId_IsNotCachedButDecodesEqual()
    {
        var nodeId = new string('n', 200);
        var bytes = Encode(nodeId, 5, IPAddress.Parse("10.0.0.1"), 7280);
        var first = DecodeOk(bytes);
        var second = DecodeOk(bytes);
        second.Should().NotBeSameAs(first).And.Be(first);
        second.NodeId.Should().Be(nodeId);
    }

    [Fact]
    public void TryReadChitchatId_TruncatedOrInvalidAfterCaching_FailsAsBefore()
    {
        var bytes = Encode("interning-node-e", 6, IPAddress.Parse("10.0.0.1"), 7280);
        DecodeOk(bytes);

        TryDecode(bytes[..^1], out _, out var truncated).Should().BeFalse();
        truncated.Kind.Should().Be(DecodeErrorKind.Truncated);

        var badTag = (byte[])bytes.Clone();
        badTag[2 + "interning-node-e".Length + 8] = 5;
        TryDecode(badTag, out _, out var invalidIp).Should().BeFalse();
        invalidIp.Kind.Should().Be(DecodeErrorKind.InvalidIpVersion);

        var invalidUtf8 = Encode([0x6e, 0xff, 0x6e], 6, 4, [10, 0, 0, 1], 7280);
        TryDecode(invalidUtf8, out _, out var utf8).Should().BeFalse();
        utf8.Kind.Should().Be(DecodeErrorKind.InvalidUtf8);
        TryDecode(invalidUtf8, out _, out utf8).Should().BeFalse("an id that failed to decode is never cached");
        utf8.Kind.Should().Be(DecodeErrorKind.InvalidUtf8);
    }

    [Fact]
    public void TryReadChitchatId_ManyIdsFromSeveralThreads_AlwaysDecodesTheRightId()
    {
        // More ids than the cache holds, decoded concurrently: evictions and races must never mix entries up.
        var encodings = Enumerable.Range(0, 5_000)
            .Select(i => (Bytes: Encode($"interning-{i}", (ulong)i, new IPAddress([10, 9, (byte)(i / 256), (byte)i]), (ushort)(7000 + (i % 7))), Index: i))
            .ToArray();
        Parallel.For(0, 4, worker =>
        {
            for (var round = 0; round < 3; round++)
            {
                foreach (var (bytes, i) in encodings)
                {
                    var id = DecodeOk(bytes);
                    if (id.NodeId != $"interning-{i}" || id.GenerationId != (ulong)i || id.GossipAdvertiseAddr.Port != 7000 + (i % 7))
                    {
                        throw new InvalidOperationException($"Decoded {id} for index {i}.");
                    }
                }
            }
        });
    }

    private static ChitchatId DecodeOk(byte[] bytes)
    {
        TryDecode(bytes, out var id, out var error).Should().BeTrue(error.ToString());
        return id;
    }
}
