using System.Buffers.Binary;
using System.Net;
using System.Text;

namespace Chitchat.Wire;

/// <summary>
/// Writes chitchat primitives (little-endian integers, u16-prefixed UTF-8 strings, addresses) into a
/// caller-supplied span. Callers size the span from the <c>SerializedLength</c> of what they write, so
/// running out of space is a programming error and throws.
/// </summary>
internal ref struct WireWriter
{
    private readonly Span<byte> _buffer;
    private int _position;

    public WireWriter(Span<byte> buffer)
    {
        _buffer = buffer;
        _position = 0;
    }

    public readonly int Position => _position;

    public void WriteU8(byte value)
    {
        _buffer[_position] = value;
        _position++;
    }

    /// <summary>Writes <c>01</c> for true and <c>00</c> for false (not used by any current message field).</summary>
    public void WriteBool(bool value) => WriteU8(value ? (byte)1 : (byte)0);

    public void WriteU16(ushort value)
    {
        BinaryPrimitives.WriteUInt16LittleEndian(_buffer[_position..], value);
        _position += 2;
    }

    public void WriteU64(ulong value)
    {
        BinaryPrimitives.WriteUInt64LittleEndian(_buffer[_position..], value);
        _position += 8;
    }

    public void WriteBytes(scoped ReadOnlySpan<byte> bytes)
    {
        bytes.CopyTo(_buffer[_position..]);
        _position += bytes.Length;
    }

    /// <summary>Writes an already-encoded UTF-8 string with its u16 length prefix.</summary>
    public void WriteUtf8String(scoped ReadOnlySpan<byte> utf8)
    {
        WireFormat.EnsureStringLength(utf8.Length);
        WriteU16((ushort)utf8.Length);
        WriteBytes(utf8);
    }

    /// <summary>Writes a string as u16 byte length + UTF-8 bytes.</summary>
    public void WriteString(string value)
    {
        var byteCount = WireFormat.GetStringByteCount(value);
        WriteU16((ushort)byteCount);
        var written = Encoding.UTF8.GetBytes(value, _buffer.Slice(_position, byteCount));
        _position += written;
    }

    /// <summary>
    /// Writes an IP address: tag 4 + 4 octets or tag 6 + 16 octets. An IPv4-mapped IPv6 address is written
    /// as IPv4, as a Rust peer would see it; the IPv6 scope id is not transmitted.
    /// </summary>
    public void WriteIpAddress(IPAddress address)
    {
        if (address.IsIPv4MappedToIPv6)
        {
            address = address.MapToIPv4();
        }

        Span<byte> octets = stackalloc byte[16];
        address.TryWriteBytes(octets, out var length);
        WriteIpOctets(octets[..length]);
    }

    /// <summary>Writes an IP address followed by the port as a little-endian u16.</summary>
    public void WriteSocketAddress(IPEndPoint endPoint)
    {
        WriteIpAddress(endPoint.Address);
        WriteU16((ushort)endPoint.Port);
    }

    public void WriteChitchatId(ChitchatId id)
    {
        WriteUtf8String(id.NodeIdUtf8);
        WriteU64(id.GenerationId);
        WriteIpOctets(id.AddressBytes);
        WriteU16((ushort)id.GossipAdvertiseAddr.Port);
    }

    private void WriteIpOctets(scoped ReadOnlySpan<byte> octets)
    {
        WriteU8(octets.Length == 4 ? (byte)4 : (byte)6);
        WriteBytes(octets);
    }
}
