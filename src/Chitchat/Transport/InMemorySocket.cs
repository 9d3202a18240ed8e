using System.Net;
using System.Runtime.CompilerServices;
using System.Threading.Channels;
using Chitchat.Wire;

namespace Chitchat.Transport;

/// <summary>
/// A socket of an <see cref="InMemoryTransport"/>: an address and a bounded inbox. Port of chitchat's
/// <c>transport::channel::InProcessSocket</c>.
/// </summary>
/// <remarks>Thread-safe as <see cref="ISocket"/> requires; the inbox never blocks a sender.</remarks>
internal sealed class InMemorySocket : ISocket
{
    private readonly InMemoryTransport _broker;
    private readonly Channel<ReceivedMessage> _inbox;
    private int _receiving;
    private int _disposed;

    public InMemorySocket(InMemoryTransport broker, IPEndPoint localEndPoint)
    {
        _broker = broker;
        LocalEndPoint = localEndPoint;

        // FullMode.Wait makes TryWrite return false on a full inbox, which the broker logs as a drop.
        _inbox = Channel.CreateBounded<ReceivedMessage>(new BoundedChannelOptions(InMemoryTransport.InboxCapacity)
        {
            FullMode = BoundedChannelFullMode.Wait,
            SingleReader = true,
            SingleWriter = false,
        });
    }

    /// <inheritdoc />
    public IPEndPoint LocalEndPoint { get; }

    /// <inheritdoc />
    /// <exception cref="MessageTooLargeException">The encoded message exceeds the broker's MTU.</exception>
    /// <exception cref="InvalidOperationException">The message does not survive an encode/decode round trip (a codec bug).</exception>
    public ValueTask<int> SendAsync(IPEndPoint to, ChitchatMessage message, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(to);
        ArgumentNullException.ThrowIfNull(message);
        ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);
        cancellationToken.ThrowIfCancellationRequested();
        return ValueTask.FromResult(_broker.Send(LocalEndPoint, to, message));
    }

    /// <inheritdoc />
    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))] // No state machine allocation per wait.
    public async ValueTask<ReceivedMessage> ReceiveAsync(CancellationToken cancellationToken = default)
    {
        ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);
        if (Interlocked.Exchange(ref _receiving, 1) != 0)
        {
            throw new InvalidOperationException("A receive is already pending on this socket; only one receiver is allowed at a time.");
        }

        try
        {
            return await _inbox.Reader.ReadAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (ChannelClosedException ex)
        {
            // The inbox is completed only by DisposeAsync.
            throw new ObjectDisposedException(GetType().FullName, ex);
        }
        finally
        {
            Volatile.Write(ref _receiving, 0);
        }
    }

    /// <inheritdoc />
    public ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 0)
        {
            _broker.Close(this);
            _inbox.Writer.TryComplete();
        }

        return ValueTask.CompletedTask;
    }

    /// <summary>Queues a message unless the inbox is full or closed.</summary>
    /// <returns>Whether the message was queued.</returns>
    internal bool TryDeliver(in ReceivedMessage message) => _inbox.Writer.TryWrite(message);
}
