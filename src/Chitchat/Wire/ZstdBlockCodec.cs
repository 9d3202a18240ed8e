using ZstdSharp;

namespace Chitchat.Wire;

/// <summary>
/// Per-thread zstd contexts for delta blocks. Compression uses level 0 (the zstd default, level 3),
/// a content-size field and no checksum, exactly what the Rust crate's <c>zstd::bulk</c> calls produce.
/// </summary>
internal static class ZstdBlockCodec
{
    [ThreadStatic]
    private static Compressor? s_compressor;

    [ThreadStatic]
    private static Decompressor? s_decompressor;

    /// <summary>
    /// Compresses <paramref name="source"/> into <paramref name="destination"/>; returns
    /// <see langword="false"/> when the frame would not fit (the caller then stores the block raw).
    /// </summary>
    public static bool TryCompress(ReadOnlySpan<byte> source, Span<byte> destination, out int written)
    {
        var compressor = s_compressor ??= new Compressor(0);
        try
        {
            return compressor.TryWrap(source, destination, out written);
        }
        catch (ZstdException)
        {
            // Any other compression failure also falls back to a raw block, as in Rust.
            written = 0;
            return false;
        }
    }

    /// <summary>
    /// Decompresses one block into <paramref name="destination"/>. Returns <see langword="false"/> for an
    /// invalid frame or content larger than the destination. Never throws on bad input.
    /// </summary>
    public static bool TryDecompress(ReadOnlySpan<byte> source, Span<byte> destination, out int written)
    {
        var decompressor = s_decompressor ??= new Decompressor();
        try
        {
            return decompressor.TryUnwrap(source, destination, out written);
        }
        catch (ZstdException)
        {
            written = 0;
            return false;
        }
    }
}
