namespace Chitchat.Transport;

/// <summary>Opt-in authenticated encryption of a UDP transport, for clusters made only of .NET nodes.</summary>
public static class EncryptionTransportExtensions
{
    /// <summary>
    /// Returns a transport that encrypts and authenticates every datagram with AES-GCM under the keyring's
    /// primary key, and accepts datagrams sealed with any key of the keyring.
    /// </summary>
    /// <remarks>
    /// <para>
    /// Each encrypted datagram carries 36 bytes more than its chitchat message: a 20-byte header (a magic
    /// number of its own, format and protocol versions, key id, random 96-bit nonce) and a 16-byte tag. The
    /// cluster id and the protocol version are authenticated with it. A node on this transport lowers its
    /// datagram budgets by those 36 bytes, so an encrypted datagram never exceeds 65,507 bytes. (Wrapping the
    /// returned transport in the fault decorators of the Chitchat.Testing package hides that limit from the
    /// node: a message that no longer fits then fails to send with <see cref="MessageTooLargeException"/>.)
    /// </para>
    /// <para>
    /// An encrypted cluster cannot include Rust chitchat nodes or .NET nodes without encryption: they drop
    /// encrypted datagrams as having an invalid magic number, and in <see cref="EncryptionMode.Require"/> this
    /// node drops their plaintext. See <see cref="EncryptionMode"/> to migrate a running cluster and
    /// <see cref="EncryptionKeyring"/> to rotate keys.
    /// </para>
    /// <para>
    /// A datagram that does not authenticate is dropped, counted and logged at most once every 10 seconds per
    /// reason; receives never fail because of it. Encryption does not stop replays: a recorded datagram
    /// replayed later still opens, and gossip tolerates it as it tolerates duplicates (versions only grow).
    /// </para>
    /// </remarks>
    /// <param name="transport">The UDP transport; its logger is used.</param>
    /// <param name="keyring">The keys.</param>
    /// <param name="clusterId">The cluster id, authenticated with every datagram; use the node's <see cref="ChitchatConfig.ClusterId"/>.</param>
    /// <param name="mode">Whether plaintext is still sent or accepted (migrations); <see cref="EncryptionMode.Require"/> by default.</param>
    /// <param name="timeProvider">The clock of the rate-limited drop log; <see cref="TimeProvider.System"/> when <see langword="null"/>.</param>
    /// <returns>The encrypting transport.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="mode"/> is not a defined mode.</exception>
    public static ITransport WithEncryption(
        this UdpTransport transport,
        EncryptionKeyring keyring,
        string clusterId,
        EncryptionMode mode = EncryptionMode.Require,
        TimeProvider? timeProvider = null)
    {
        ArgumentNullException.ThrowIfNull(transport);
        ArgumentNullException.ThrowIfNull(keyring);
        ArgumentNullException.ThrowIfNull(clusterId);
        if (!Enum.IsDefined(mode))
        {
            throw new ArgumentOutOfRangeException(nameof(mode), mode, "Unknown encryption mode.");
        }

        Wire.WireFormat.GetStringByteCount(clusterId);
        return new EncryptedUdpTransport(transport.Logger, keyring, clusterId, mode, timeProvider ?? TimeProvider.System);
    }
}
