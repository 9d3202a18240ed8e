using System.Net;
using Chitchat.Transport;
using Chitchat.Wire;

namespace Chitchat.Cli.Bench;

/// <summary>
/// A transport decorator that counts the messages its sockets send and their encoded size, as
/// <see cref="InMemoryTransport.Statistics"/> does for the in-memory transport: it gives the UDP runs of
/// <c>chitchat bench bandwidth</c> the same figures.
/// </summary>
/// <remarks>
/// The size is the chitchat payload (<see cref="ChitchatMessage.SerializedLength"/>); the 28 bytes of IPv4 and
/// UDP headers per datagram are not counted. A send that throws is not counted. Thread-safe.
/// </remarks>
internal sealed class CountingTransport : ITransport
{
    private readonly ITransport _inner;
    private long _bytes;
    private long _messages;

    public CountingTransport(ITransport inner)
    {
        _inner = inner;
    }

    /// <summary>Gets the totals sent so far through every socket of this transport.</summary>
    public TransportStatistics Statistics =>
        new((ulong)Interlocked.Read(ref _bytes), (ulong)Interlocked.Read(ref _messages));

    public async ValueTask<ISocket> OpenAsync(IPEndPoint listenAddress, CancellationToken cancellationToken = default)
    {
        var socket = await _inner.OpenAsync(listenAddress, cancellationToken).ConfigureAwait(false);
        return new CountingSocket(this, socket);
    }

    private void Record(int length)
    {
        Interlocked.Add(ref _bytes, length);
        Interlocked.Increment(ref _messages);
    }

    private sealed class CountingSocket : ISocket
    {
        private readonly CountingTransport _owner;
        private readonly ISocket _inner;

        public CountingSocket(CountingTransport owner, ISocket inner)
        {
            _owner = owner;
            _inner = inner;
        }

        public IPEndPoint LocalEndPoint => _inner.LocalEndPoint;

        public ValueTask<int> SendAsync(IPEndPoint to, ChitchatMessage message, CancellationToken cancellationToken = default)
        {
            var send = _inner.SendAsync(to, message, cancellationToken);
            if (send.IsCompletedSuccessfully)
            {
                var sent = send.Result;
                _owner.Record(sent);
                return ValueTask.FromResult(sent);
            }

            return AwaitAndRecordAsync(send);
        }

        public ValueTask<ReceivedMessage> ReceiveAsync(CancellationToken cancellationToken = default) =>
            _inner.ReceiveAsync(cancellationToken);

        public ValueTask DisposeAsync() => _inner.DisposeAsync();

        private async ValueTask<int> AwaitAndRecordAsync(ValueTask<int> send)
        {
            var sent = await send.ConfigureAwait(false);
            _owner.Record(sent);
            return sent;
        }
    }
}
