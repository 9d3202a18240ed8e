using System.Net;
using Chitchat.Transport;
using Chitchat.Wire;

namespace Chitchat.Testing;

/// <summary>Drops the sends whose link is blocked in a <see cref="NetworkPartitions"/>; everything else passes through.</summary>
internal sealed class PartitionTransport(ITransport inner, NetworkPartitions partitions) : ITransport
{
    public async ValueTask<ISocket> OpenAsync(IPEndPoint listenAddress, CancellationToken cancellationToken = default)
    {
        var socket = await inner.OpenAsync(listenAddress, cancellationToken).ConfigureAwait(false);
        return new PartitionSocket(socket, partitions);
    }

    private sealed class PartitionSocket(ISocket inner, NetworkPartitions partitions) : ISocket
    {
        public IPEndPoint LocalEndPoint => inner.LocalEndPoint;

        public ValueTask<int> SendAsync(IPEndPoint to, ChitchatMessage message, CancellationToken cancellationToken = default) =>
            partitions.IsBlocked(inner.LocalEndPoint, to)
                ? new ValueTask<int>(message.SerializedLength) // Lost on the way: the sender cannot tell.
                : inner.SendAsync(to, message, cancellationToken);

        public ValueTask<ReceivedMessage> ReceiveAsync(CancellationToken cancellationToken = default) => inner.ReceiveAsync(cancellationToken);

        public ValueTask DisposeAsync() => inner.DisposeAsync();
    }
}
