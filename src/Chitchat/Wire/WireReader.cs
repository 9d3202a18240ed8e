using System.Buffers.Binary;
using System.Net;
using System.Text;
using System.Text.Unicode;

namespace Chitchat.Wire;

/// <summary>
/// Reads chitchat primitives from a span. Every read checks the remaining length first and returns
/// <see langword="false"/> with a <see cref="DecodeError"/> on bad input; nothing here throws on data.
/// </summary>
internal ref struct WireReader
{
    private readonly ReadOnlySpan<byte> _buffer;
    private int _position;

    public WireReader(ReadOnlySpan<byte> buffer)
    {
        _buffer = buffer;
        _position = 0;
    }

    public readonly int Position => _position;

    public readonly int Remaining => _buffer.Length - _position;

    public readonly bool IsEmpty => _position >= _buffer.Length;

    public DecodeError Error { get; private set; }

    private bool Fail(DecodeErrorKind kind)
    {
        Error = new DecodeError(kind, _position);
        return false;
    }

    public bool TryReadU8(out byte value)
    {
        if (Remaining < 1)
        {
            value = 0;
            return Fail(DecodeErrorKind.Truncated);
        }

        value = _buffer[_position];
        _position++;
        return true;
    }

    /// <summary>Reads a bool: any non-zero byte is true, as in Rust.</summary>
    public bool TryReadBool(out bool value)
    {
        var ok = TryReadU8(out var raw);
        value = raw != 0;
        return ok;
    }

    public bool TryReadU16(out ushort value)
    {
        if (Remaining < 2)
        {
            value = 0;
            return Fail(DecodeErrorKind.Truncated);
        }

        value = BinaryPrimitives.ReadUInt16LittleEndian(_buffer[_position..]);
        _position += 2;
        return true;
    }

    public bool TryReadU64(out ulong value)
    {
        if (Remaining < 8)
        {
            value = 0;
            return Fail(DecodeErrorKind.Truncated);
        }

        value = BinaryPrimitives.ReadUInt64LittleEndian(_buffer[_position..]);
        _position += 8;
        return true;
    }

    public bool TryReadBytes(int length, out ReadOnlySpan<byte> bytes)
    {
        if (length < 0 || Remaining < length)
        {
            bytes = default;
            return Fail(DecodeErrorKind.Truncated);
        }

        bytes = _buffer.Slice(_position, length);
        _position += length;
        return true;
    }

    /// <summary>Reads a u16-prefixed string, validating the length and the UTF-8 before allocating.</summary>
    public bool TryReadString(out string value)
    {
        value = string.Empty;
        var start = _position;
        if (!TryReadU16(out var length))
        {
            return false;
        }

        if (Remaining < length)
        {
            _position = start;
            return Fail(DecodeErrorKind.Truncated);
        }

        var bytes = _buffer.Slice(_position, length);
        if (!Utf8.IsValid(bytes))
        {
            return Fail(DecodeErrorKind.InvalidUtf8);
        }

        value = length == 0 ? string.Empty : Encoding.UTF8.GetString(bytes);
        _position += length;
        return true;
    }

    public bool TryReadIpAddress(out IPAddress address)
    {
        address = IPAddress.None;
        if (!TryReadU8(out var tag))
        {
            return false;
        }

        int length;
        switch (tag)
        {
            case 4:
                length = 4;
                break;
            case 6:
                length = 16;
                break;
            default:
                _position--;
                return Fail(DecodeErrorKind.InvalidIpVersion);
        }

        if (!TryReadBytes(length, out var octets))
        {
            return false;
        }

        address = new IPAddress(octets);
        return true;
    }

    public bool TryReadSocketAddress(out IPEndPoint endPoint)
    {
        endPoint = null!;
        if (!TryReadIpAddress(out var address) || !TryReadU16(out var port))
        {
            return false;
        }

        endPoint = new IPEndPoint(address, port);
        return true;
    }

    public bool TryReadChitchatId(out ChitchatId id)
    {
        id = null!;
        if (!TryReadString(out var nodeId)
            || !TryReadU64(out var generation)
            || !TryReadSocketAddress(out var address))
        {
            return false;
        }

        id = new ChitchatId(nodeId, generation, address);
        return true;
    }
}
