using System.Buffers;

namespace Chitchat.Wire;

/// <summary>
/// Decodes a block stream (the framing of deltas and of V1 digests): <c>01 len zstd-frame</c> and
/// <c>02 len raw</c> blocks, terminated by <c>00</c>, concatenated into one byte stream.
/// </summary>
/// <remarks>
/// Each compressed block may expand to at most 65,535 bytes, as in Rust; in addition every stream of one
/// datagram together may expand to at most <see cref="MessageCodec.MaxDecompressedLength"/> bytes (a .NET
/// hardening, see <see cref="MessageCodec"/>): the caller passes what is left of that budget. The encoder is
/// <see cref="CompressedStreamWriter"/>.
/// </remarks>
internal static class BlockStream
{
    /// <summary>
    /// The pool of decompression buffers: a private, bounded pool rather than <see cref="ArrayPool{T}.Shared"/>,
    /// whose per-thread caches would keep a buffer of every size up to the cap on every thread the receive loop
    /// happened to run on.
    /// </summary>
    internal static ArrayPool<byte> Pool { get; } = ArrayPool<byte>.Create(MessageCodec.MaxDecompressedLength, 4);

    /// <summary>
    /// Decodes a block stream starting at the reader's position. On success <paramref name="data"/> is rented
    /// from <see cref="Pool"/> and the caller returns it there; on failure nothing is left rented.
    /// <paramref name="maxLength"/> caps the decompressed length.
    /// </summary>
    public static bool TryDecode(ref WireReader reader, int maxLength, out byte[] data, out int dataLength, out DecodeError error)
    {
        data = Pool.Rent(1024);
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

            var room = maxLength - dataLength;
            if (blockType == 2)
            {
                if (length > room)
                {
                    return Fail(new DecodeError(DecodeErrorKind.DecompressedTooLarge, blockStart), ref data, ref dataLength, out error);
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
                    ? DecodeErrorKind.DecompressedTooLarge
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
        if (!TryDecode(ref reader, MessageCodec.MaxDecompressedLength, out var rented, out var length, out error))
        {
            data = [];
            consumed = 0;
            return false;
        }

        data = rented.AsSpan(0, length).ToArray();
        Pool.Return(rented);
        consumed = reader.Position;
        return true;
    }

    private static bool Fail(DecodeError failure, ref byte[] data, ref int dataLength, out DecodeError error)
    {
        Pool.Return(data);
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

        var grown = Pool.Rent(Math.Max(needed, Math.Min(buffer.Length * 2, MessageCodec.MaxDecompressedLength)));
        buffer.AsSpan(0, used).CopyTo(grown);
        Pool.Return(buffer);
        buffer = grown;
    }
}
