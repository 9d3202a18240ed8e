using System.Buffers.Binary;
using System.Security.Cryptography;

namespace Chitchat.Transport;

/// <summary>
/// The layout of an encrypted chitchat datagram, and its seal and open operations (AES-GCM).
/// </summary>
/// <remarks>
/// <code>
/// offset  size  field
///      0     2  magic: bytes CC E5 (a plaintext chitchat datagram starts with 53 B0)
///      2     1  envelope format version (1)
///      3     1  protocol version of the enclosed chitchat message
///      4     4  key id: the first 4 bytes of SHA-256 over "chitchat-key-id" and the key
///      8    12  nonce, random per datagram
///     20     n  the chitchat message, encrypted
///   20+n    16  authentication tag
/// </code>
/// The associated data is the first 8 bytes (magic, versions, key id) followed by the cluster id in UTF-8, so
/// a datagram sealed for another cluster, another protocol version or with another key does not open. The
/// overhead is <see cref="Overhead"/> = 36 bytes per datagram. A node without encryption (a Rust node
/// included) rejects an encrypted datagram as having an invalid magic number.
/// </remarks>
internal static class DatagramEnvelope
{
    /// <summary>The first magic byte of an encrypted datagram.</summary>
    public const byte Magic0 = 0xCC;

    /// <summary>The second magic byte of an encrypted datagram.</summary>
    public const byte Magic1 = 0xE5;

    /// <summary>The envelope format version.</summary>
    public const byte FormatVersion = 1;

    /// <summary>Length of the authenticated header: magic, format version, protocol version, key id.</summary>
    public const int AuthenticatedHeaderLength = 8;

    /// <summary>Length of a key id.</summary>
    public const int KeyIdLength = 4;

    /// <summary>Length of the AES-GCM nonce (96 bits).</summary>
    public const int NonceLength = 12;

    /// <summary>Length of the AES-GCM authentication tag (128 bits).</summary>
    public const int TagLength = 16;

    /// <summary>Length of everything before the ciphertext.</summary>
    public const int HeaderLength = AuthenticatedHeaderLength + NonceLength;

    /// <summary>Bytes an encrypted datagram carries on top of its chitchat message: 36.</summary>
    public const int Overhead = HeaderLength + TagLength;

    /// <summary>The largest chitchat message an encrypted datagram of at most 65,507 bytes carries: 65,471 bytes.</summary>
    public const int MaxMessageLength = Wire.WireFormat.MaxUdpDatagramPayloadSize - Overhead;

    /// <summary>Whether <paramref name="datagram"/> claims to be an encrypted datagram (its magic), authentic or not.</summary>
    public static bool HasEnvelopeMagic(ReadOnlySpan<byte> datagram) =>
        datagram.Length >= 2 && datagram[0] == Magic0 && datagram[1] == Magic1;

    /// <summary>Computes the id of <paramref name="key"/>.</summary>
    public static uint ComputeKeyId(ReadOnlySpan<byte> key)
    {
        ReadOnlySpan<byte> label = "chitchat-key-id"u8;
        Span<byte> input = stackalloc byte[label.Length + 32];
        label.CopyTo(input);
        key.CopyTo(input[label.Length..]);
        Span<byte> hash = stackalloc byte[SHA256.HashSizeInBytes];
        SHA256.HashData(input[..(label.Length + key.Length)], hash);
        CryptographicOperations.ZeroMemory(input);
        return BinaryPrimitives.ReadUInt32BigEndian(hash);
    }

    /// <summary>Reads the key id of an envelope of at least <see cref="Overhead"/> bytes.</summary>
    public static uint ReadKeyId(ReadOnlySpan<byte> datagram) => BinaryPrimitives.ReadUInt32BigEndian(datagram.Slice(4, KeyIdLength));

    /// <summary>
    /// Encrypts, in place, the message of <paramref name="messageLength"/> bytes at <paramref name="datagram"/>[20..]
    /// and writes the header before it and the tag after it.
    /// </summary>
    /// <param name="aes">The primary key's cipher; the caller serializes calls.</param>
    /// <param name="keyId">The primary key's id.</param>
    /// <param name="protocolVersion">The protocol version of the message.</param>
    /// <param name="datagram">The datagram buffer, at least <paramref name="messageLength"/> + 36 bytes.</param>
    /// <param name="messageLength">The length of the serialized message at offset 20.</param>
    /// <param name="aad">A scratch span of 8 + cluster id length bytes whose tail holds the cluster id.</param>
    /// <returns>The length of the datagram.</returns>
    public static int Seal(AesGcm aes, uint keyId, byte protocolVersion, Span<byte> datagram, int messageLength, Span<byte> aad)
    {
        datagram[0] = Magic0;
        datagram[1] = Magic1;
        datagram[2] = FormatVersion;
        datagram[3] = protocolVersion;
        BinaryPrimitives.WriteUInt32BigEndian(datagram.Slice(4, KeyIdLength), keyId);
        var nonce = datagram.Slice(AuthenticatedHeaderLength, NonceLength);
        RandomNumberGenerator.Fill(nonce);
        datagram[..AuthenticatedHeaderLength].CopyTo(aad);
        var text = datagram.Slice(HeaderLength, messageLength);
        aes.Encrypt(nonce, text, text, datagram.Slice(HeaderLength + messageLength, TagLength), aad);
        return messageLength + Overhead;
    }

    /// <summary>
    /// Authenticates and decrypts an envelope into <paramref name="plaintext"/>. Never throws because of the
    /// datagram's content and allocates nothing.
    /// </summary>
    /// <param name="aes">The cipher of the key named by the envelope's key id.</param>
    /// <param name="datagram">The datagram, with the envelope magic.</param>
    /// <param name="plaintext">Receives the message; at least the datagram's length.</param>
    /// <param name="aad">A scratch span of 8 + cluster id length bytes whose tail holds the cluster id.</param>
    /// <param name="messageLength">The length of the decrypted message.</param>
    /// <returns>Whether the envelope is authentic and its header well formed.</returns>
    public static bool TryOpen(AesGcm aes, ReadOnlySpan<byte> datagram, Span<byte> plaintext, Span<byte> aad, out int messageLength)
    {
        messageLength = datagram.Length - Overhead;
        if (messageLength < Wire.WireFormat.HeaderLength || datagram[2] != FormatVersion)
        {
            messageLength = 0;
            return false;
        }

        datagram[..AuthenticatedHeaderLength].CopyTo(aad);
        try
        {
            aes.Decrypt(
                datagram.Slice(AuthenticatedHeaderLength, NonceLength),
                datagram.Slice(HeaderLength, messageLength),
                datagram.Slice(HeaderLength + messageLength, TagLength),
                plaintext[..messageLength],
                aad);
        }
        catch (CryptographicException)
        {
            // AuthenticationTagMismatchException: Decrypt already cleared the output. An exception is the only way
            // AesGcm reports a forgery.
            messageLength = 0;
            return false;
        }

        // The header's protocol version is authenticated: the message inside must agree with it.
        if (plaintext[2] != datagram[3])
        {
            plaintext[..messageLength].Clear();
            messageLength = 0;
            return false;
        }

        return true;
    }
}
