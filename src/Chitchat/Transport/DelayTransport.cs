using System.Net;
using Chitchat.Wire;

namespace Chitchat.Transport;

/// <summary>
/// Delays sends by a sampled duration. Port of chitchat <c>transport/utils.rs</c> <c>TransportWithDelay</c>,
/// without its shared lock (there, a pending receive blocks delayed sends).
/// </summary>
internal sealed class DelayTransport : ITransport
{
    /// <summary>The most delayed sends a socket keeps in flight; further sends are dropped.</summary>
    internal const int MaxPendingSends = 1_024;

    private readonly ITransport _inner;
    private readonly Func<Random, TimeSpan> _delaySampler;
    private readonly TimeProvider _timeProvider;
    private readonly SocketRandomSource _randoms;

    public DelayTransport(ITransport inner, Func<Random, TimeSpan> delaySampler, TimeProvider timeProvider, SocketRandomSource randoms)
    {
        _inner = inner;
        _delaySampler = delaySampler;
        _timeProvider = timeProvider;
        _randoms = randoms;
    }

    /// <inheritdoc />
    public async ValueTask<ISocket> OpenAsync(IPEndPoint listenAddress, CancellationToken cancellationToken = default)
    {
        var socket = await _inner.OpenAsync(listenAddress, cancellationToken).ConfigureAwait(false);
        return new DelaySocket(this, socket, _randoms.Next());
    }

    /// <summary>A socket whose sends happen later, in background tasks on the transport's clock.</summary>
    private sealed class DelaySocket : ISocket
    {
        private readonly DelayTransport _transport;
        private readonly ISocket _inner;
        private readonly Random _random;
        private readonly Lock _randomGate = new();

        // Cancelled, never disposed: background sends may still read its token after disposal.
        private readonly CancellationTokenSource _disposed = new();
        private int _pendingSends;
        private int _disposeStarted;

        public DelaySocket(DelayTransport transport, ISocket inner, Random random)
        {
            _transport = transport;
            _inner = inner;
            _random = random;
        }

        public IPEndPoint LocalEndPoint => _inner.LocalEndPoint;

        public ValueTask<int> SendAsync(IPEndPoint to, ChitchatMessage message, CancellationToken cancellationToken = default)
        {
            ArgumentNullException.ThrowIfNull(to);
            ArgumentNullException.ThrowIfNull(message);
            ObjectDisposedException.ThrowIf(_disposed.IsCancellationRequested, this);
            cancellationToken.ThrowIfCancellationRequested();

            TimeSpan delay;
            lock (_randomGate)
            {
                delay = _transport._delaySampler(_random);
            }

            if (Interlocked.Increment(ref _pendingSends) > MaxPendingSends)
            {
                // Too many messages in flight: drop this one, as a congested network would.
                Interlocked.Decrement(ref _pendingSends);
                return ValueTask.FromResult(message.SerializedLength);
            }

            // The caller's token governs only the call itself, not the delayed send. The result is the length the
            // message will have on the wire.
            _ = SendLaterAsync(to, message, delay < TimeSpan.Zero ? TimeSpan.Zero : delay);
            return ValueTask.FromResult(message.SerializedLength);
        }

        public ValueTask<ReceivedMessage> ReceiveAsync(CancellationToken cancellationToken = default) =>
            _inner.ReceiveAsync(cancellationToken);

        public async ValueTask DisposeAsync()
        {
            if (Interlocked.Exchange(ref _disposeStarted, 1) != 0)
            {
                return;
            }

            // Drops the messages still waiting; then release the address.
            await _disposed.CancelAsync().ConfigureAwait(false);
            await _inner.DisposeAsync().ConfigureAwait(false);
        }

        private async Task SendLaterAsync(IPEndPoint to, ChitchatMessage message, TimeSpan delay)
        {
            var cancellationToken = _disposed.Token;
            try
            {
                await Task.Delay(delay, _transport._timeProvider, cancellationToken).ConfigureAwait(false);
                await _inner.SendAsync(to, message, cancellationToken).ConfigureAwait(false);
            }
#pragma warning disable CA1031 // As in Rust, a delayed send's error has nobody to report to: the message is lost.
            catch (Exception)
#pragma warning restore CA1031
            {
            }
            finally
            {
                Interlocked.Decrement(ref _pendingSends);
            }
        }
    }
}
