using Chitchat.Wire;

namespace Chitchat.Tests.Wire;

/// <summary>Maps the Rust crate's error texts (anyhow chains of the vectors files) to the .NET error kinds.</summary>
internal static class RustErrors
{
    public static DecodeErrorKind ToKind(string text) => text switch
    {
        "buffer too small to store the magic number and the protocol version" => DecodeErrorKind.BufferTooSmall,
        "invalid chitchat magic number" => DecodeErrorKind.InvalidMagicNumber,
        "invalid protocol version" => DecodeErrorKind.InvalidProtocolVersion,
        "invalid message type" => DecodeErrorKind.InvalidMessageType,
        "invalid block type" => DecodeErrorKind.InvalidBlockType,
        "received a key-value op without a node op before." => DecodeErrorKind.OpWithoutNode,
        "Buffer too short" => DecodeErrorKind.Truncated,
        "failed to decompress block" => DecodeErrorKind.InvalidCompressedBlock,
        _ when text.StartsWith("failed to download compressed stream", StringComparison.Ordinal) => DecodeErrorKind.Truncated,
        _ when text.StartsWith("failed to deserialize string, buffer too short", StringComparison.Ordinal) => DecodeErrorKind.Truncated,
        _ when text.StartsWith("Invalid deletion status code", StringComparison.Ordinal) => DecodeErrorKind.InvalidDeletionStatus,
        _ when text.StartsWith("invalid utf-8 sequence", StringComparison.Ordinal) => DecodeErrorKind.InvalidUtf8,
        _ => throw new InvalidOperationException($"Unmapped Rust error text: {text}"),
    };
}
