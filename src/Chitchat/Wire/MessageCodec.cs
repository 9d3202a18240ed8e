namespace Chitchat.Wire;

/// <summary>Decodes datagrams into <see cref="ChitchatMessage"/> (PROTOCOL.md §3 and §8).</summary>
/// <remarks>
/// This is a security boundary: anyone can send a UDP datagram. Every length is checked against the
/// bytes that remain before anything is allocated; compressed blocks are decompressed into bounded
/// buffers; the whole decompressed delta of one datagram is capped at
/// <see cref="MaxDecompressedDeltaLength"/> bytes (Rust caps only each block at 65,535 bytes, so a
/// 65,507-byte datagram of tiny zstd frames could otherwise expand to hundreds of megabytes).
/// </remarks>
public static class MessageCodec
{
    /// <summary>
    /// The largest decompressed delta accepted in one datagram: 4 MiB. A Rust sender's delta is at most
    /// 65,506 framed bytes; with realistic compression ratios its content stays far below this cap.
    /// </summary>
    public const int MaxDecompressedDeltaLength = 4 * 1024 * 1024;

    /// <summary>Decodes a datagram; see <see cref="ChitchatMessage.TryDeserialize"/>.</summary>
    /// <param name="datagram">The payload.</param>
    /// <param name="message">The message.</param>
    /// <param name="error">The reason for a failure.</param>
    /// <returns>Whether decoding succeeded.</returns>
    public static bool TryDecode(
        ReadOnlySpan<byte> datagram,
        [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out ChitchatMessage? message,
        out DecodeError error)
    {
        message = null;
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

        reader.TryReadU8(out var version);
        if (version != WireFormat.ProtocolVersion)
        {
            error = new DecodeError(DecodeErrorKind.InvalidProtocolVersion, 2);
            return false;
        }

        if (!reader.TryReadU8(out var type) || type > (byte)MessageType.BadCluster)
        {
            error = new DecodeError(DecodeErrorKind.InvalidMessageType, 3);
            return false;
        }

        switch ((MessageType)type)
        {
            case MessageType.Syn:
                if (!Digest.TryRead(ref reader, out var synDigest) || !reader.TryReadString(out var clusterId))
                {
                    error = reader.Error;
                    return false;
                }

                message = new ChitchatMessage.Syn(clusterId, synDigest);
                break;

            case MessageType.SynAck:
                if (!Digest.TryRead(ref reader, out var synAckDigest))
                {
                    error = reader.Error;
                    return false;
                }

                if (!Delta.TryRead(ref reader, out var synAckDelta, out error))
                {
                    return false;
                }

                message = new ChitchatMessage.SynAck(synAckDigest, synAckDelta);
                break;

            case MessageType.Ack:
                if (!Delta.TryRead(ref reader, out var ackDelta, out error))
                {
                    return false;
                }

                message = new ChitchatMessage.Ack(ackDelta);
                break;

            default:
                message = ChitchatMessage.BadCluster.Instance;
                break;
        }

        error = default;
        return true;
    }
}
