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
}
