using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Chitchat.Transport;

/// <summary>
/// The production transport: one UDP socket per node, one message per datagram. Port of chitchat's
/// <c>transport::UdpTransport</c>.
/// </summary>
/// <remarks>
/// <para>
/// An IPv4 listen address gets an IPv4 socket, so peers' addresses are plain IPv4 as on a Rust node. An
/// IPv6 listen address gets an IPv6 socket in dual mode where the operating system allows it; IPv4 peers
/// it sees as IPv4-mapped IPv6 addresses are reported as plain IPv4.
/// </para>
/// <para>
/// The socket is bound without <c>SO_REUSEADDR</c>, so a second open of a bound address fails until the
/// first socket is disposed.
/// </para>
/// <para>Thread-safe: the transport holds no state besides its logger.</para>
/// </remarks>
public sealed class UdpTransport : ITransport
{
    private readonly ILogger _logger;

    /// <summary>Creates a UDP transport.</summary>
    /// <param name="loggerFactory">
    /// Creates the logger for transient receive errors and invalid payloads; none when <see langword="null"/>.
    /// </param>
    public UdpTransport(ILoggerFactory? loggerFactory = null)
    {
        _logger = loggerFactory?.CreateLogger<UdpTransport>() ?? NullLogger<UdpTransport>.Instance;
    }

    /// <summary>Gets the logger of this transport's sockets.</summary>
    internal ILogger Logger => _logger;

    /// <inheritdoc />
    /// <remarks>
    /// Binds synchronously. An IPv4-mapped IPv6 listen address is bound as the IPv4 address it maps. Thread-safe.
    /// </remarks>
    /// <exception cref="IOException">
    /// The address cannot be bound ("failed to bind to {address}/UDP for gossip"); the inner exception is
    /// the <see cref="SocketException"/>.
    /// </exception>
    public ValueTask<ISocket> OpenAsync(IPEndPoint listenAddress, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(listenAddress);
        cancellationToken.ThrowIfCancellationRequested();
        return ValueTask.FromResult<ISocket>(UdpSocket.Open(listenAddress, _logger));
    }

    /// <summary>
    /// Returns a transport that encrypts and authenticates every datagram with AES-GCM under the keyring's
    /// primary key, and accepts datagrams sealed with any key of the keyring (opt-in, for clusters made only of
    /// .NET nodes).
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
    /// <param name="keyring">The keys.</param>
    /// <param name="clusterId">The cluster id, authenticated with every datagram; use the node's <see cref="ChitchatConfig.ClusterId"/>.</param>
    /// <param name="mode">Whether plaintext is still sent or accepted (migrations); <see cref="EncryptionMode.Require"/> by default.</param>
    /// <param name="timeProvider">The clock of the rate-limited drop log; <see cref="TimeProvider.System"/> when <see langword="null"/>.</param>
    /// <returns>The encrypting transport.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="mode"/> is not a defined mode.</exception>
    public ITransport WithEncryption(
        EncryptionKeyring keyring,
        string clusterId,
        EncryptionMode mode = EncryptionMode.Require,
        TimeProvider? timeProvider = null)
    {
        ArgumentNullException.ThrowIfNull(keyring);
        ArgumentNullException.ThrowIfNull(clusterId);
        if (!Enum.IsDefined(mode))
        {
            throw new ArgumentOutOfRangeException(nameof(mode), mode, "Unknown encryption mode.");
        }

        Wire.WireFormat.GetStringByteCount(clusterId);
        return new EncryptedUdpTransport(Logger, keyring, clusterId, mode, timeProvider ?? TimeProvider.System);
    }
}
