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

    /// <summary>
    /// Reads a <see cref="ChitchatId"/>. An id decoded recently from equal fields comes from
    /// <see cref="ChitchatIdCache"/> without allocating.
    /// </summary>
    public bool TryReadChitchatId(out ChitchatId id)
    {
        var start = _position;
        var encodedLength = PeekChitchatIdLength();
        var set = -1;
        if (encodedLength > 0)
        {
            // Layout: u16 length, node id, u64 generation, tag, 4 or 16 octets, u16 port.
            var encoded = _buffer.Slice(start, encodedLength);
            int nodeIdLength = BinaryPrimitives.ReadUInt16LittleEndian(encoded);
            var addressLength = encodedLength - 2 - nodeIdLength - 8 - 1 - 2;
            if (ChitchatIdCache.TryGet(
                encoded,
                encoded.Slice(2, nodeIdLength),
                BinaryPrimitives.ReadUInt64LittleEndian(encoded[(2 + nodeIdLength)..]),
                encoded.Slice(2 + nodeIdLength + 8 + 1, addressLength),
                BinaryPrimitives.ReadUInt16LittleEndian(encoded[^2..]),
                out set,
                out var cached))
            {
                id = cached;
                _position += encodedLength;
                return true;
            }
        }

        id = null!;
        if (!TryReadString(out var nodeId)
            || !TryReadU64(out var generation)
            || !TryReadSocketAddress(out var address))
        {
            return false;
        }

        id = new ChitchatId(nodeId, generation, address);

        // An IPv4-mapped IPv6 encoding decodes to IPv4: its fields would never match the id, do not cache it.
        if (set >= 0 && id.SerializedLength == encodedLength)
        {
            ChitchatIdCache.Add(set, id);
        }

        return true;
    }

    /// <summary>
    /// Returns the length of the well-framed id encoding at the current position if it is complete and at
    /// most <see cref="ChitchatIdCache.MaxEncodedLength"/> bytes, else -1 (the full decoder then reports
    /// any error). Validates nothing else.
    /// </summary>
    private readonly int PeekChitchatIdLength()
    {
        var remaining = _buffer[_position..];
        if (remaining.Length < 2)
        {
            return -1;
        }

        var tagOffset = 2 + BinaryPrimitives.ReadUInt16LittleEndian(remaining) + 8;
        if (tagOffset >= remaining.Length || tagOffset >= ChitchatIdCache.MaxEncodedLength)
        {
            return -1;
        }

        var addressLength = remaining[tagOffset] switch
        {
            4 => 4,
            6 => 16,
            _ => -1,
        };
        var length = tagOffset + 1 + addressLength + 2;
        return addressLength > 0 && length <= remaining.Length && length <= ChitchatIdCache.MaxEncodedLength ? length : -1;
    }
}
