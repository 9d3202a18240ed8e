using System.Net;
using Chitchat.Wire;

namespace Chitchat.Transport;

/// <summary>
/// Drops sends at random. Port of chitchat <c>transport/utils.rs</c> <c>TransportWithMessageDrop</c>.
/// </summary>
internal sealed class MessageDropTransport : ITransport
{
    private readonly ITransport _inner;
    private readonly double _probability;
    private readonly SocketRandomSource _randoms;

    public MessageDropTransport(ITransport inner, double probability, SocketRandomSource randoms)
    {
        _inner = inner;
        _probability = probability;
        _randoms = randoms;
    }

    /// <inheritdoc />
    public async ValueTask<ISocket> OpenAsync(IPEndPoint listenAddress, CancellationToken cancellationToken = default)
    {
        var socket = await _inner.OpenAsync(listenAddress, cancellationToken).ConfigureAwait(false);
        return new MessageDropSocket(socket, _probability, _randoms.Next());
    }

    /// <summary>A socket whose sends are dropped with a fixed probability (Bernoulli, per-socket generator).</summary>
    private sealed class MessageDropSocket : ISocket
    {
        private readonly ISocket _inner;
        private readonly double _probability;
        private readonly Random _random;
        private readonly Lock _randomGate = new();

        public MessageDropSocket(ISocket inner, double probability, Random random)
        {
            _inner = inner;
            _probability = probability;
            _random = random;
        }

        public IPEndPoint LocalEndPoint => _inner.LocalEndPoint;

        public ValueTask<int> SendAsync(IPEndPoint to, ChitchatMessage message, CancellationToken cancellationToken = default)
        {
            ArgumentNullException.ThrowIfNull(to);
            ArgumentNullException.ThrowIfNull(message);
            bool drop;
            lock (_randomGate)
            {
                // NextDouble is in [0, 1): probability 0 never drops, probability 1 always does.
                drop = _random.NextDouble() < _probability;
            }

            // A dropped message reports the length it would have had on the wire, as a lost datagram would.
            return drop ? ValueTask.FromResult(message.SerializedLength) : _inner.SendAsync(to, message, cancellationToken);
        }

        public ValueTask<ReceivedMessage> ReceiveAsync(CancellationToken cancellationToken = default) =>
            _inner.ReceiveAsync(cancellationToken);

        public ValueTask DisposeAsync() => _inner.DisposeAsync();
    }
}
