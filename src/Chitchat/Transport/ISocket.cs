using System.Net;
using Chitchat.Wire;

namespace Chitchat.Transport;

/// <summary>
/// A bound socket that sends and receives chitchat messages. Port of the Rust trait
/// <c>chitchat::transport::Socket</c>.
/// </summary>
/// <remarks>
/// <para>
/// Thread safety: <see cref="SendAsync"/> may be called from several tasks at once, and concurrently
/// with <see cref="ReceiveAsync"/>. At most one <see cref="ReceiveAsync"/> may be pending at a time;
/// a second concurrent call throws <see cref="InvalidOperationException"/>.
/// <see cref="IAsyncDisposable.DisposeAsync"/> may be called from any thread, at any time, more than once.
/// </para>
/// <para>
/// Disposing the socket releases its address and makes a pending <see cref="ReceiveAsync"/> throw
/// <see cref="ObjectDisposedException"/>; later calls to <see cref="SendAsync"/> or
/// <see cref="ReceiveAsync"/> throw <see cref="ObjectDisposedException"/> too.
/// </para>
/// </remarks>
public interface ISocket : IAsyncDisposable
{
    /// <summary>
    /// Gets the address the socket is bound to, with the actual port when port 0 was requested.
    /// Safe to read from any thread; do not mutate the returned instance.
    /// </summary>
    IPEndPoint LocalEndPoint { get; }

    /// <summary>Sends <paramref name="message"/> as one datagram to <paramref name="to"/>.</summary>
    /// <remarks>
    /// Delivery is not guaranteed: sending to an address nobody listens on succeeds, as with UDP.
    /// Thread-safe; several sends may run concurrently.
    /// </remarks>
    /// <param name="to">The destination.</param>
    /// <param name="message">The message.</param>
    /// <param name="cancellationToken">Cancels the send.</param>
    /// <returns>
    /// A task that completes when the datagram has been handed to the network, with the number of bytes that
    /// went on the wire (the encoded length, for UDP what the operating system reported sent). Byte counters
    /// and metrics use it, so they never encode a message twice.
    /// </returns>
    /// <exception cref="MessageTooLargeException">
    /// The encoded message exceeds the transport's maximum datagram size; nothing was sent.
    /// </exception>
    /// <exception cref="IOException">The transport failed to send the datagram.</exception>
    /// <exception cref="ObjectDisposedException">The socket was disposed.</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled.</exception>
    ValueTask<int> SendAsync(IPEndPoint to, ChitchatMessage message, CancellationToken cancellationToken = default);

    /// <summary>Waits for the next valid message.</summary>
    /// <remarks>
    /// Datagrams that do not decode are logged and skipped; this method never throws because of what a
    /// peer sent. Only one receive may be pending at a time.
    /// </remarks>
    /// <param name="cancellationToken">Cancels the wait.</param>
    /// <returns>
    /// The message, the address it came from (IPv4 addresses are never IPv4-mapped IPv6) and the length of the
    /// datagram.
    /// </returns>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled.</exception>
    /// <exception cref="ObjectDisposedException">The socket was disposed, before or during the wait.</exception>
    /// <exception cref="IOException">The socket is permanently broken.</exception>
    /// <exception cref="InvalidOperationException">Another receive is already pending.</exception>
    ValueTask<ReceivedMessage> ReceiveAsync(CancellationToken cancellationToken = default);
}
