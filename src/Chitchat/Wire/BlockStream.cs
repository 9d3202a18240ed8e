using System.Buffers;

namespace Chitchat.Wire;

/// <summary>
/// Decodes the block stream of a delta (PROTOCOL.md §6.3): <c>01 len zstd-frame</c> and <c>02 len raw</c>
/// blocks, terminated by <c>00</c>, concatenated into one byte stream.
/// </summary>
/// <remarks>
/// Port of chitchat <c>serialize.rs</c> <c>deserialize_stream</c> (the block part). Each compressed block may
/// expand to at most 65,535 bytes, as in Rust; in addition the whole stream may expand to at most
/// <see cref="MessageCodec.MaxDecompressedDeltaLength"/> bytes (a .NET hardening, see
/// <see cref="MessageCodec"/>). The encoder is <see cref="CompressedStreamWriter"/>.
/// </remarks>
internal static class BlockStream
{
    /// <summary>
    /// Decodes a block stream starting at the reader's position. On success <paramref name="data"/> is rented
    /// from <see cref="ArrayPool{T}.Shared"/> and the caller returns it; on failure nothing is left rented.
    /// </summary>
    public static bool TryDecode(ref WireReader reader, out byte[] data, out int dataLength, out DecodeError error)
    {
        data = ArrayPool<byte>.Shared.Rent(1024);
        dataLength = 0;
        while (true)
        {
            var blockStart = reader.Position;
            if (!reader.TryReadU8(out var blockType))
            {
                return Fail(reader.Error, ref data, ref dataLength, out error);
            }

            if (blockType == 0)
            {
                error = default;
                return true;
            }

            if (blockType is not (1 or 2))
            {
                return Fail(new DecodeError(DecodeErrorKind.InvalidBlockType, blockStart), ref data, ref dataLength, out error);
            }

            if (!reader.TryReadU16(out var length) || !reader.TryReadBytes(length, out var payload))
            {
                return Fail(reader.Error, ref data, ref dataLength, out error);
            }

            var room = MessageCodec.MaxDecompressedDeltaLength - dataLength;
            if (blockType == 2)
            {
                if (length > room)
                {
                    return Fail(new DecodeError(DecodeErrorKind.DecompressedDeltaTooLarge, blockStart), ref data, ref dataLength, out error);
                }

                Grow(ref data, dataLength, length);
                payload.CopyTo(data.AsSpan(dataLength));
                dataLength += length;
                continue;
            }

            var window = Math.Min(WireFormat.MaxDecompressedBlockLength, room);
            Grow(ref data, dataLength, window);
            if (!ZstdBlockCodec.TryDecompress(payload, data.AsSpan(dataLength, window), out var written))
            {
                var kind = window < WireFormat.MaxDecompressedBlockLength
                    ? DecodeErrorKind.DecompressedDeltaTooLarge
                    : DecodeErrorKind.InvalidCompressedBlock;
                return Fail(new DecodeError(kind, blockStart), ref data, ref dataLength, out error);
            }

            dataLength += written;
        }
    }

    /// <summary>
    /// Decodes a block stream at the start of <paramref name="source"/> into a new array (diagnostics and
    /// tests); <paramref name="consumed"/> counts the framed bytes including the final <c>00</c>.
    /// </summary>
    public static bool TryDecode(ReadOnlySpan<byte> source, out byte[] data, out int consumed, out DecodeError error)
    {
        var reader = new WireReader(source);
        if (!TryDecode(ref reader, out var rented, out var length, out error))
        {
            data = [];
            consumed = 0;
            return false;
        }

        data = rented.AsSpan(0, length).ToArray();
        ArrayPool<byte>.Shared.Return(rented);
        consumed = reader.Position;
        return true;
    }

    private static bool Fail(DecodeError failure, ref byte[] data, ref int dataLength, out DecodeError error)
    {
        ArrayPool<byte>.Shared.Return(data);
        data = [];
        dataLength = 0;
        error = failure;
        return false;
    }

    private static void Grow(ref byte[] buffer, int used, int extra)
    {
        var needed = used + extra;
        if (needed <= buffer.Length)
        {
            return;
        }

        var grown = ArrayPool<byte>.Shared.Rent(Math.Max(needed, Math.Min(buffer.Length * 2, MessageCodec.MaxDecompressedDeltaLength)));
        buffer.AsSpan(0, used).CopyTo(grown);
        ArrayPool<byte>.Shared.Return(buffer);
        buffer = grown;
    }
}
