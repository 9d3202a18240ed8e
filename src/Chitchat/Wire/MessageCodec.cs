namespace Chitchat.Wire;

/// <summary>Decodes datagrams of protocol version 0 or 1 into <see cref="ChitchatMessage"/>.</summary>
/// <remarks>
/// This is a security boundary: anyone can send a UDP datagram. Every length is checked against the
/// bytes that remain before anything is allocated; compressed blocks are decompressed into bounded
/// buffers; everything one datagram decompresses to (a V1 digest and a delta together) is capped at
/// <see cref="MaxDecompressedLength"/> bytes (Rust caps only each block at 65,535 bytes, so a
/// 65,507-byte datagram of tiny zstd frames could otherwise expand to hundreds of megabytes).
/// </remarks>
internal static class MessageCodec
{
    /// <summary>
    /// The most bytes the compressed parts of one datagram (a V1 digest and a delta) may decompress to, together:
    /// 2 MiB, so that one datagram never makes the decoder hold more than about 2 MiB of buffer and 4 MiB of strings.
    /// </summary>
    /// <remarks>
    /// <para>
    /// A sender bounds the framed (compressed) size of a message by the datagram size, not its content: a delta is
    /// cut into blocks of 16,384 content bytes, each zstd-compressed, so its content is at most 16,384 bytes times
    /// the number of blocks that fit 65,507 bytes. A legitimate delta exceeds this cap only if its 65 KB on the wire
    /// compress more than 32 to 1 on average. Key-value state does not: every operation of a node carries its own
    /// strictly increasing 8-byte version, and chitchat state (ids, addresses, JSON descriptors) compresses 4 to 1
    /// (varied keys and values) to 22 to 1 (40 keys repeating one value), measured with zstd level 3 on 16 KiB
    /// blocks. Only values made of long runs of one byte get there; they compress 1,000 to 1, which is also what a
    /// decompression bomb looks like.
    /// </para>
    /// <para>
    /// A .NET sender never builds a delta whose content exceeds <see cref="DeltaBuilder.MaxContentLength"/> (half
    /// this cap, leaving the other half to a V1 digest in the same SynAck): it sends the rest in the next round, as
    /// it does with what exceeds the datagram size. A message over the cap is dropped whole with
    /// <see cref="DecodeErrorKind.DecompressedTooLarge"/>, counted and logged (rate-limited).
    /// </para>
    /// </remarks>
    public const int MaxDecompressedLength = 2 * 1024 * 1024;

    /// <summary>Decodes a datagram; see <see cref="ChitchatMessage.TryDeserialize(ReadOnlySpan{byte}, out ChitchatMessage?)"/>.</summary>
    /// <param name="datagram">The payload.</param>
    /// <param name="message">The message.</param>
    /// <param name="error">The reason for a failure.</param>
    /// <returns>Whether decoding succeeded.</returns>
    public static bool TryDecode(
        ReadOnlySpan<byte> datagram,
        [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out ChitchatMessage? message,
        out DecodeError error) =>
        TryDecode(datagram, out message, out error, out _);

    /// <summary>Decodes a datagram and tells how many of its bytes the message took (the rest is ignored).</summary>
    internal static bool TryDecode(
        ReadOnlySpan<byte> datagram,
        [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out ChitchatMessage? message,
        out DecodeError error,
        out int consumed)
    {
        message = null;
        consumed = 0;
        if (datagram.Length < 3)
        {
            error = new DecodeError(DecodeErrorKind.BufferTooSmall, 0);
            return false;
        }

        var reader = new WireReader(datagram);
        reader.TryReadU16(out var magic);
        if (magic != WireFormat.MagicNumber)
        {
            error = new DecodeError(DecodeErrorKind.InvalidMagicNumber, 0);
            return false;
        }

        reader.TryReadU8(out var versionByte);
        if (versionByte > (byte)WireFormat.LatestProtocolVersion)
        {
            error = new DecodeError(DecodeErrorKind.InvalidProtocolVersion, 2);
            return false;
        }

        if (!reader.TryReadU8(out var type) || type > (byte)MessageType.BadCluster)
        {
            error = new DecodeError(DecodeErrorKind.InvalidMessageType, 3);
            return false;
        }

        var version = (ProtocolVersion)versionByte;
        var decompressionBudget = MaxDecompressedLength;
        switch ((MessageType)type)
        {
            case MessageType.Syn:
                if (!Digest.TryRead(ref reader, version, ref decompressionBudget, out var synDigest, out error))
                {
                    return false;
                }

                if (!reader.TryReadString(out var clusterId))
                {
                    error = reader.Error;
                    return false;
                }

                message = new ChitchatMessage.Syn(clusterId, synDigest, version);
                break;

            case MessageType.SynAck:
                if (!Digest.TryRead(ref reader, version, ref decompressionBudget, out var synAckDigest, out error)
                    || !Delta.TryRead(ref reader, ref decompressionBudget, out var synAckDelta, out error))
                {
                    return false;
                }

                message = new ChitchatMessage.SynAck(synAckDigest, synAckDelta, version);
                break;

            case MessageType.Ack:
                if (!Delta.TryRead(ref reader, ref decompressionBudget, out var ackDelta, out error))
                {
                    return false;
                }

                message = new ChitchatMessage.Ack(ackDelta, version);
                break;

            default:
                message = ChitchatMessage.BadCluster.ForVersion(version);
                break;
        }

        error = default;
        consumed = reader.Position;
        return true;
    }
}
