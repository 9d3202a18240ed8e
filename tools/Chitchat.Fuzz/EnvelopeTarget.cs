using System.Net;
using System.Security.Cryptography;
using System.Text;
using Chitchat.Transport;
using Chitchat.Wire;
using Microsoft.Extensions.Logging.Abstractions;

namespace Chitchat.Fuzz;

/// <summary>
/// The <c>envelope</c> target: the receive path of an encrypted node (<see cref="EncryptedUdpSocket.TryOpen"/>:
/// envelope header, key lookup, AES-GCM, then the decoder), fed the input twice, as a received datagram and as a
/// message that a cluster member sealed.
/// </summary>
/// <remarks>
/// The keys and the cluster id are fixed and known to <c>scripts/fuzz-corpus.py</c>, which seals the golden
/// messages with them for the seed corpus (<c>corpus-envelope/</c>). The sockets are bound to loopback port 0 once
/// per process and never receive: only their decrypt path runs.
/// </remarks>
internal static class EnvelopeTarget
{
    public const string ClusterId = "fuzz-cluster";

    private static readonly byte[] s_primaryKey = [.. Enumerable.Range(0, 32).Select(i => (byte)i)];
    private static readonly byte[] s_decryptOnlyKey = [.. Enumerable.Range(32, 16).Select(i => (byte)i)];
    private static readonly EncryptionKeyring s_keyring = EncryptionKeyring.Create(s_primaryKey, s_decryptOnlyKey);
    private static readonly EncryptedUdpSocket s_require = Open(EncryptionMode.Require);
    private static readonly EncryptedUdpSocket s_accept = Open(EncryptionMode.Accept);
    private static readonly AesGcm s_sealCipher = s_keyring.CreatePrimaryCipher();
    private static readonly uint s_primaryKeyId = s_keyring.KeyIds[0];
    private static readonly byte[] s_sealAad = [.. new byte[DatagramEnvelope.AuthenticatedHeaderLength], .. Encoding.UTF8.GetBytes(ClusterId)];

    /// <summary>
    /// Invariants: nothing throws; a node requiring encryption never accepts a plaintext datagram; a datagram
    /// without the envelope magic is, to a node accepting both, exactly what the plain decoder makes of it; a
    /// message sealed with the primary key opens to the message the plain decoder reads, and no longer opens once
    /// any one bit of it is flipped.
    /// </summary>
    public static void Run(ReadOnlySpan<byte> input)
    {
        // 1. As a datagram off the network.
        var plainDecodes = ChitchatMessage.TryDeserialize(input, out var plain, out _);
        if (s_require.TryOpen(input, out var required, out _) && !DatagramEnvelope.HasEnvelopeMagic(input))
        {
            throw new FuzzInvariantException($"a node requiring encryption accepted a plaintext {required.Type}");
        }

        var accepted = s_accept.TryOpen(input, out var acceptedMessage, out _);
        if (!DatagramEnvelope.HasEnvelopeMagic(input) && (accepted != plainDecodes || (accepted && !acceptedMessage!.Equals(plain))))
        {
            throw new FuzzInvariantException($"a node accepting plaintext read a {input.Length}-byte datagram differently from the decoder");
        }

        // 2. As a message sealed by a member (the protocol version in the header is the message's own).
        if (input.Length is < WireFormat.HeaderLength or > DatagramEnvelope.MaxMessageLength)
        {
            return;
        }

        var datagram = new byte[input.Length + DatagramEnvelope.Overhead];
        input.CopyTo(datagram.AsSpan(DatagramEnvelope.HeaderLength));
        var length = DatagramEnvelope.Seal(s_sealCipher, s_primaryKeyId, input[2], datagram, input.Length, s_sealAad);
        var sealedOpens = s_require.TryOpen(datagram.AsSpan(0, length), out var opened, out var reason);
        if (sealedOpens != plainDecodes || (sealedOpens && !opened!.Equals(plain)))
        {
            throw new FuzzInvariantException($"a sealed {input.Length}-byte message opened as {(sealedOpens ? opened!.Type : reason)}, the decoder says {(plainDecodes ? plain!.Type : "invalid")}");
        }

        // Any flipped bit (header, nonce, ciphertext or tag) must make it unauthentic.
        var position = (int)((uint)HashCode.Combine(input.Length, input[^1]) % (uint)length);
        datagram[position] ^= (byte)(1 << (input[0] & 7));
        if (s_require.TryOpen(datagram.AsSpan(0, length), out _, out _))
        {
            throw new FuzzInvariantException($"a sealed message still opened with byte {position} of {length} altered");
        }
    }

    private static EncryptedUdpSocket Open(EncryptionMode mode) =>
        EncryptedUdpSocket.Open(new IPEndPoint(IPAddress.Loopback, 0), s_keyring, ClusterId, mode, NullLogger.Instance, TimeProvider.System);
}
