using System.Buffers.Binary;
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

    public void WriteChitchatId(ChitchatId id)
    {
        WriteUtf8String(id.NodeIdUtf8);
        WriteU64(id.GenerationId);
        WriteU8(id.IsIPv4 ? (byte)4 : (byte)6);
        WriteBytes(id.AddressBytes);
        WriteU16((ushort)id.GossipAdvertiseAddr.Port);
    }
}
