using System.Net;
using System.Runtime.CompilerServices;
using Chitchat.Transport;
using Chitchat.Wire;

namespace Chitchat.Diagnostics;

/// <summary>
/// Counts what crosses the node's socket: every message the transport accepted to send (with the bytes it reported),
/// every message it delivered (with the datagram's length), and the messages too large to send. Wraps the socket
/// the transport opened, so the counts are exactly the transport's.
/// </summary>
/// <remarks>
/// Allocation-free; forwards <see cref="IMessageSizeLimit"/>, so the server still sees the overhead of an encrypting
/// transport. Disposing it ends the node's metrics. Thread-safe as <see cref="ISocket"/> requires.
/// </remarks>
internal sealed class MeteringSocket : ISocket, IMessageSizeLimit
{
    private readonly ISocket _inner;
    private readonly ChitchatMetrics _metrics;

    public MeteringSocket(ISocket inner, ChitchatMetrics metrics)
    {
        _inner = inner;
        _metrics = metrics;
        if (inner is UdpSocket udp)
        {
            // Decode and encryption failures are counted by the socket's receive loop.
            udp.Metrics = metrics;
        }
    }

    /// <inheritdoc />
    public IPEndPoint LocalEndPoint => _inner.LocalEndPoint;

    /// <inheritdoc />
    public int MaxMessageLength => _inner is IMessageSizeLimit limit ? limit.MaxMessageLength : WireFormat.MaxUdpDatagramPayloadSize;

    /// <inheritdoc />
    public int Overhead => _inner is IMessageSizeLimit limit ? limit.Overhead : 0;

    /// <summary>Gets the socket the transport opened.</summary>
    internal ISocket Inner => _inner;

    /// <inheritdoc />
    public ValueTask<int> SendAsync(IPEndPoint to, ChitchatMessage message, CancellationToken cancellationToken = default)
    {
        ValueTask<int> send;
        try
        {
            send = _inner.SendAsync(to, message, cancellationToken);
        }
        catch (MessageTooLargeException)
        {
            _metrics.Dropped(DatagramDropReason.TooLarge);
            throw;
        }

        if (send.IsCompletedSuccessfully)
        {
            var sent = send.Result;
            _metrics.MessageSent(message, sent);
            return ValueTask.FromResult(sent);
        }

        return AwaitSendAsync(send, message);
    }

    /// <inheritdoc />
    public ValueTask<ReceivedMessage> ReceiveAsync(CancellationToken cancellationToken = default)
    {
        var receive = _inner.ReceiveAsync(cancellationToken);
        if (receive.IsCompletedSuccessfully)
        {
            var received = receive.Result;
            _metrics.MessageReceived(received.Message, received.ByteCount);
            return ValueTask.FromResult(received);
        }

        return AwaitReceiveAsync(receive);
    }

    /// <inheritdoc />
    /// <remarks>Also ends the node's metrics (<see cref="ChitchatMetrics.Dispose"/>): the node stops with its socket.</remarks>
    public async ValueTask DisposeAsync()
    {
        try
        {
            await _inner.DisposeAsync().ConfigureAwait(false);
        }
        finally
        {
            _metrics.Dispose();
        }
    }

    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))] // No state machine allocation per message.
    private async ValueTask<int> AwaitSendAsync(ValueTask<int> send, ChitchatMessage message)
    {
        int sent;
        try
        {
            sent = await send.ConfigureAwait(false);
        }
        catch (MessageTooLargeException)
        {
            _metrics.Dropped(DatagramDropReason.TooLarge);
            throw;
        }

        _metrics.MessageSent(message, sent);
        return sent;
    }

    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    private async ValueTask<ReceivedMessage> AwaitReceiveAsync(ValueTask<ReceivedMessage> receive)
    {
        var received = await receive.ConfigureAwait(false);
        _metrics.MessageReceived(received.Message, received.ByteCount);
        return received;
    }
}
