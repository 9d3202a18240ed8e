using System.Globalization;
using System.Security.Cryptography;

namespace Chitchat.Transport;

/// <summary>
/// The AES-GCM keys of an encrypted cluster: one primary key that encrypts what the node sends, and any number
/// of decrypt-only keys that are still accepted on receive. Immutable and thread-safe.
/// </summary>
/// <remarks>
/// <para>
/// Keys rotate without downtime in three rolling restarts, each finished on every node before the next
/// starts: add the new key as a decrypt-only key everywhere; make it the primary key everywhere (the old key
/// stays as decrypt-only, so nodes not restarted yet are still understood); remove the old key.
/// </para>
/// <para>
/// Every key is 16, 24 or 32 bytes (AES-128, AES-192, AES-256) of cryptographically random data, shared by
/// all nodes of the cluster. A key is named on the wire by its id, a 4-byte hash, so a receiver tries only
/// the key a datagram names. Random nonces cap a key's safe use at about 2^32 datagrams, summed over all
/// nodes that send with it: rotate keys well before (a cluster sending 1,000 datagrams per second reaches
/// 2^32 after about 50 days).
/// </para>
/// </remarks>
public sealed class EncryptionKeyring
{
    private readonly byte[][] _keys;

    private EncryptionKeyring(byte[][] keys)
    {
        _keys = keys;
        KeyIds = keys.Select(key => DatagramEnvelope.ComputeKeyId(key)).ToArray();
        for (var i = 1; i < KeyIds.Count; i++)
        {
            for (var j = 0; j < i; j++)
            {
                if (KeyIds[i] == KeyIds[j])
                {
                    throw new ArgumentException($"Keys {j + 1} and {i + 1} of the keyring are the same key (or share an id).", "keys");
                }
            }
        }
    }

    /// <summary>Gets the number of keys, the primary key included.</summary>
    public int KeyCount => _keys.Length;

    /// <summary>Gets the primary key's id as 8 hexadecimal digits, as it may appear in logs.</summary>
    public string PrimaryKeyId => KeyIds[0].ToString("x8", CultureInfo.InvariantCulture);

    /// <summary>Gets the key ids, primary first.</summary>
    internal IReadOnlyList<uint> KeyIds { get; }

    /// <summary>Creates a keyring.</summary>
    /// <param name="primaryKey">The key that encrypts; also accepted on receive. Copied.</param>
    /// <param name="decryptOnlyKeys">Keys only accepted on receive. Copied.</param>
    /// <returns>The keyring.</returns>
    /// <exception cref="ArgumentException">A key is not 16, 24 or 32 bytes long, or a key appears twice.</exception>
    public static EncryptionKeyring Create(ReadOnlySpan<byte> primaryKey, params IEnumerable<byte[]> decryptOnlyKeys)
    {
        ArgumentNullException.ThrowIfNull(decryptOnlyKeys);
        var keys = new List<byte[]> { CopyKey(primaryKey, 1) };
        foreach (var key in decryptOnlyKeys)
        {
            ArgumentNullException.ThrowIfNull(key, nameof(decryptOnlyKeys));
            keys.Add(CopyKey(key, keys.Count + 1));
        }

        return new EncryptionKeyring([.. keys]);
    }

    /// <summary>
    /// Parses a key file: one base64 key per line, the first one primary, the others decrypt-only. Blank lines
    /// and lines starting with <c>#</c> are ignored.
    /// </summary>
    /// <param name="text">The file's content.</param>
    /// <returns>The keyring.</returns>
    /// <exception cref="FormatException">A line is not base64, or the text holds no key.</exception>
    /// <exception cref="ArgumentException">A key is not 16, 24 or 32 bytes long, or a key appears twice.</exception>
    public static EncryptionKeyring Parse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var keys = new List<byte[]>();
        var lineNumber = 0;
        foreach (var rawLine in text.Split('\n'))
        {
            lineNumber++;
            var line = rawLine.Trim();
            if (line.Length == 0 || line[0] == '#')
            {
                continue;
            }

            byte[] key;
            try
            {
                key = Convert.FromBase64String(line);
            }
            catch (FormatException ex)
            {
                throw new FormatException($"Line {lineNumber} of the key file is not a base64 key.", ex);
            }

            try
            {
                keys.Add(CopyKey(key, keys.Count + 1));
            }
            finally
            {
                CryptographicOperations.ZeroMemory(key);
            }
        }

        if (keys.Count == 0)
        {
            throw new FormatException("The key file holds no key: write one base64 AES key (16, 24 or 32 bytes) per line, the primary key first.");
        }

        return new EncryptionKeyring([.. keys]);
    }

    /// <summary>Returns a new random 32-byte key (AES-256), base64-encoded, as a key file line.</summary>
    /// <returns>The key.</returns>
    public static string GenerateKey()
    {
        Span<byte> key = stackalloc byte[32];
        RandomNumberGenerator.Fill(key);
        var text = Convert.ToBase64String(key);
        CryptographicOperations.ZeroMemory(key);
        return text;
    }

    /// <summary>Creates one cipher per key, primary first; the caller disposes them.</summary>
    internal AesGcm[] CreateCiphers() =>
        _keys.Select(key => new AesGcm(key, DatagramEnvelope.TagLength)).ToArray();

    /// <summary>Creates a cipher of the primary key; the caller disposes it.</summary>
    internal AesGcm CreatePrimaryCipher() => new(_keys[0], DatagramEnvelope.TagLength);

    private static byte[] CopyKey(ReadOnlySpan<byte> key, int position)
    {
        if (key.Length is not (16 or 24 or 32))
        {
            throw new ArgumentException(
                $"Key {position} of the keyring is {key.Length} bytes; an AES-GCM key must be 16, 24 or 32 bytes (AES-128, AES-192 or AES-256).",
                "key");
        }

        return key.ToArray();
    }
}
