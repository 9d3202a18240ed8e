using System.Net;

namespace Chitchat.Transport;

/// <summary>
/// Opens the sockets a chitchat node gossips through. Port of the Rust trait <c>chitchat::transport::Transport</c>.
/// </summary>
/// <remarks>
/// <para>
/// A transport moves whole <see cref="Wire.ChitchatMessage"/> values: one message is one datagram
/// (see docs/PROTOCOL.md). The server opens exactly one socket on its listen address and sends its Syns and
/// replies from it, because peers reply to the source address of what they receive.
/// </para>
/// <para>
/// Implementations: <see cref="UdpTransport"/> (production); the Chitchat.Testing package adds an in-memory
/// transport for tests and simulations, and decorators that drop, delay or partition messages.
/// </para>
/// <para>Implementations are thread-safe: <see cref="OpenAsync"/> may be called concurrently.</para>
/// </remarks>
public interface ITransport
{
    /// <summary>Opens a socket bound to <paramref name="listenAddress"/>.</summary>
    /// <param name="listenAddress">
    /// The address to listen on. For UDP, port 0 asks the operating system for a free port; read the
    /// result from <see cref="ISocket.LocalEndPoint"/>.
    /// </param>
    /// <param name="cancellationToken">Cancels the operation before the socket is opened.</param>
    /// <returns>The open socket. The caller owns it and must dispose it to release the address.</returns>
    /// <exception cref="IOException">The address is already in use or cannot be bound.</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled.</exception>
    ValueTask<ISocket> OpenAsync(IPEndPoint listenAddress, CancellationToken cancellationToken = default);
}
