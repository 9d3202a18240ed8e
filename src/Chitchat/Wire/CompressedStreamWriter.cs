using System.Buffers;

namespace Chitchat.Wire;

/// <summary>
/// Cuts a byte stream into blocks of <c>threshold</c> uncompressed bytes, zstd-compresses each block
/// when that makes it no larger, and frames the blocks (<c>01 len frame</c> / <c>02 len raw</c>, then <c>00</c>).
/// </summary>
/// <remarks>
/// Port of chitchat <c>serialize.rs</c> <c>CompressedStreamWriter</c>: the block cuts and the
/// <see cref="SerializedLengthUpperBoundAfter"/> formula must match it exactly, because they decide where
/// an MTU-bounded delta is truncated. Buffers come from <see cref="ArrayPool{T}"/>; call
/// <see cref="Dispose"/> (or <see cref="Finish"/>) to return them.
/// </remarks>
internal sealed class CompressedStreamWriter : IDisposable
{
    private readonly int _threshold;
    private byte[] _output;
    private int _outputLength;
    private byte[] _pending;
    private int _pendingLength;
    private byte[] _scratch;
    private long _contentLength;

    public CompressedStreamWriter(int threshold)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(threshold, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(threshold, ushort.MaxValue);
        _threshold = threshold;
        _output = ArrayPool<byte>.Shared.Rent(Math.Min(threshold, 4096) + 1);
        _pending = ArrayPool<byte>.Shared.Rent(Math.Min(threshold, 4096) + 1);
        _scratch = ArrayPool<byte>.Shared.Rent(threshold);
    }

    /// <summary>Gets the number of bytes already framed.</summary>
    public int OutputLength => _outputLength;

    /// <summary>Gets the number of bytes appended so far, framed or not (what the stream decompresses to).</summary>
    public long ContentLength => _contentLength;

    /// <summary>Gets the number of bytes appended but not framed yet.</summary>
    public int PendingLength => _pendingLength;

    /// <summary>
    /// Returns an upper bound of the finished stream's length if an item of <paramref name="itemLength"/>
    /// bytes were appended now (pending bytes are counted uncompressed).
    /// </summary>
    public int SerializedLengthUpperBoundAfter(int itemLength)
    {
        var newBlockNeeded = _pendingLength + itemLength > _threshold;
        return newBlockNeeded
            ? WireFormat.BlockHeaderLength + _outputLength + _pendingLength
                + WireFormat.BlockHeaderLength + itemLength
                + 1
            : WireFormat.BlockHeaderLength + _outputLength + _pendingLength + itemLength + 1;
    }

    /// <summary>Returns a span of exactly <paramref name="length"/> bytes to write the next item into.</summary>
    public Span<byte> GetItemSpan(int length)
    {
        EnsureCapacity(ref _pending, _pendingLength, length);
        return _pending.AsSpan(_pendingLength, length);
    }

    /// <summary>Commits an item written through <see cref="GetItemSpan"/>; flushes full blocks.</summary>
    public void CommitItem(int length)
    {
        if (length > ushort.MaxValue)
        {
            throw new InvalidOperationException($"A delta operation of {length} bytes exceeds the {ushort.MaxValue}-byte limit.");
        }

        _pendingLength += length;
        _contentLength += length;
        while (_pendingLength > _threshold)
        {
            FlushBlock();
        }
    }

    /// <summary>Appends raw item bytes.</summary>
    public void Append(ReadOnlySpan<byte> item)
    {
        item.CopyTo(GetItemSpan(item.Length));
        CommitItem(item.Length);
    }

    /// <summary>Flushes the remaining bytes, writes the end marker and returns the framed stream.</summary>
    public byte[] Finish()
    {
        FlushBlock();
        EnsureCapacity(ref _output, _outputLength, 1);
        _output[_outputLength++] = 0;
        var result = _output.AsSpan(0, _outputLength).ToArray();
        Dispose();
        return result;
    }

    public void Dispose()
    {
        Return(ref _output);
        Return(ref _pending);
        Return(ref _scratch);
    }

    private void FlushBlock()
    {
        if (_pendingLength == 0)
        {
            return;
        }

        var blockLength = Math.Min(_pendingLength, _threshold);
        var block = _pending.AsSpan(0, blockLength);
        EnsureCapacity(ref _output, _outputLength, WireFormat.BlockHeaderLength + blockLength);
        var output = _output.AsSpan(_outputLength);
        if (ZstdBlockCodec.TryCompress(block, _scratch.AsSpan(0, blockLength), out var compressedLength))
        {
            output[0] = 1;
            System.Buffers.Binary.BinaryPrimitives.WriteUInt16LittleEndian(output[1..], (ushort)compressedLength);
            _scratch.AsSpan(0, compressedLength).CopyTo(output[3..]);
            _outputLength += WireFormat.BlockHeaderLength + compressedLength;
        }
        else
        {
            output[0] = 2;
            System.Buffers.Binary.BinaryPrimitives.WriteUInt16LittleEndian(output[1..], (ushort)blockLength);
            block.CopyTo(output[3..]);
            _outputLength += WireFormat.BlockHeaderLength + blockLength;
        }

        var remaining = _pendingLength - blockLength;
        _pending.AsSpan(blockLength, remaining).CopyTo(_pending);
        _pendingLength = remaining;
    }

    private static void EnsureCapacity(ref byte[] buffer, int used, int extra)
    {
        ObjectDisposedException.ThrowIf(buffer.Length == 0, typeof(CompressedStreamWriter));
        var needed = used + extra;
        if (needed <= buffer.Length)
        {
            return;
        }

        var grown = ArrayPool<byte>.Shared.Rent(Math.Max(needed, buffer.Length * 2));
        buffer.AsSpan(0, used).CopyTo(grown);
        ArrayPool<byte>.Shared.Return(buffer);
        buffer = grown;
    }

    private static void Return(ref byte[] buffer)
    {
        if (buffer.Length != 0)
        {
            ArrayPool<byte>.Shared.Return(buffer);
            buffer = [];
        }
    }
}
