namespace Chitchat.Wire;

/// <summary>The reason a datagram was rejected by <see cref="MessageCodec.TryDecode(ReadOnlySpan{byte}, out ChitchatMessage?, out DecodeError)"/>.</summary>
/// <param name="Kind">The category of the error.</param>
/// <param name="Offset">
/// The byte offset at which decoding failed: in the datagram, or in the decompressed delta operation
/// stream for operation-level errors.
/// </param>
public readonly record struct DecodeError(DecodeErrorKind Kind, int Offset)
{
    /// <summary>Gets a human-readable description of the error.</summary>
    public string Message => Kind switch
    {
        DecodeErrorKind.BufferTooSmall => "buffer too small to store the magic number and the protocol version",
        DecodeErrorKind.InvalidMagicNumber => "invalid chitchat magic number",
        DecodeErrorKind.InvalidProtocolVersion => "invalid protocol version",
        DecodeErrorKind.InvalidMessageType => "invalid message type",
        DecodeErrorKind.Truncated => $"buffer too short at offset {Offset}",
        DecodeErrorKind.InvalidUtf8 => $"invalid UTF-8 string at offset {Offset}",
        DecodeErrorKind.InvalidIpVersion => $"invalid IP version tag at offset {Offset}",
        DecodeErrorKind.InvalidBlockType => "invalid block type",
        DecodeErrorKind.InvalidCompressedBlock => $"failed to decompress block at offset {Offset}",
        DecodeErrorKind.DecompressedTooLarge =>
            $"the datagram decompresses to more than {MessageCodec.MaxDecompressedLength} bytes",
        DecodeErrorKind.InvalidOpTag => $"unknown delta operation tag at offset {Offset}",
        DecodeErrorKind.OpWithoutNode => "received a key-value op without a node op before.",
        DecodeErrorKind.DuplicateNode => "a node appears twice in the same delta",
        DecodeErrorKind.NonIncreasingVersion => "kv version should be strictly increasing",
        DecodeErrorKind.InvalidDeletionStatus => "invalid deletion status code",
        _ => Kind.ToString(),
    };

    /// <inheritdoc />
    public override string ToString() => $"{Kind}: {Message}";
}
