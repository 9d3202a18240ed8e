namespace Chitchat.Wire;

/// <summary>Why a datagram could not be decoded.</summary>
public enum DecodeErrorKind
{
    /// <summary>Fewer than 3 bytes: no room for the magic number and the protocol version.</summary>
    BufferTooSmall,

    /// <summary>The first two bytes are not the chitchat magic number.</summary>
    InvalidMagicNumber,

    /// <summary>The protocol version byte is neither 0 nor 1.</summary>
    InvalidProtocolVersion,

    /// <summary>The message type byte is missing or not one of Syn, SynAck, Ack, BadCluster.</summary>
    InvalidMessageType,

    /// <summary>A field runs past the end of the datagram (or of the decompressed delta).</summary>
    Truncated,

    /// <summary>A string is not valid UTF-8.</summary>
    InvalidUtf8,

    /// <summary>An IP address tag is neither 4 nor 6.</summary>
    InvalidIpVersion,

    /// <summary>A block type of a delta or V1 digest is not 0, 1 or 2.</summary>
    InvalidBlockType,

    /// <summary>A compressed block is not a valid zstd frame, or decompresses to more than 65,535 bytes.</summary>
    InvalidCompressedBlock,

    /// <summary>What the datagram decompresses to (V1 digest and delta) exceeds <see cref="MessageCodec.MaxDecompressedLength"/>.</summary>
    DecompressedTooLarge,

    /// <summary>A delta operation tag is not 0, 1 or 2.</summary>
    InvalidOpTag,

    /// <summary>A key-value or set-max-version operation comes before any node operation.</summary>
    OpWithoutNode,

    /// <summary>A node appears twice in the same delta.</summary>
    DuplicateNode,

    /// <summary>Key-value versions of a node delta are not strictly increasing (or a version is 0).</summary>
    NonIncreasingVersion,

    /// <summary>A deletion status byte is not 0, 1 or 2.</summary>
    InvalidDeletionStatus,
}
