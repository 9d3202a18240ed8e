using System.Net;
using Chitchat.Transport;
using Chitchat.Wire;

namespace Chitchat.Tests.Transport;

/// <summary>
/// The behaviour every <see cref="ITransport"/> shares. Port of chitchat <c>transport/mod.rs</c>
/// <c>test_transport_suite</c> (TK2, TK3), run by each transport's test class.
/// </summary>
public abstract class TransportContractTests
{
    /// <summary>Gets the transport under test (a new one per test).</summary>
    protected abstract ITransport Transport { get; }

    /// <summary>Returns an address to open: loopback port 0 for real sockets, a fresh address otherwise.</summary>
    protected abstract IPEndPoint NextListenAddress();

    [Fact]
    public async Task OpenAsync_AddressAlreadyOpen_ThrowsIOException()
    {
        await using var socket = await Transport.OpenAsync(NextListenAddress());

        var openAgain = async () => await Transport.OpenAsync(socket.LocalEndPoint);

        await openAgain.Should().ThrowAsync<IOException>();
    }

    [Fact]
    public async Task OpenAsync_AfterDispose_ReopensTheSameAddress()
    {
        var socket = await Transport.OpenAsync(NextListenAddress());
        var address = socket.LocalEndPoint;
        await socket.DisposeAsync();

        await using var reopened = await Transport.OpenAsync(address);

        reopened.LocalEndPoint.Should().Be(address);
    }

    [Fact]
    public async Task ReceiveAsync_NothingSent_WaitsUntilCancelled()
    {
        await using var socket = await Transport.OpenAsync(NextListenAddress());
        using var timeout = new CancellationTokenSource(TimeSpan.FromMilliseconds(200));

        var receive = async () => await socket.ReceiveAsync(timeout.Token);

        await receive.Should().ThrowAsync<OperationCanceledException>();
    }

    [Fact]
    public async Task ReceiveAsync_PendingWhenSynSent_ReturnsSynWithSenderAddress()
    {
        await using var sender = await Transport.OpenAsync(NextListenAddress());
        await using var receiver = await Transport.OpenAsync(NextListenAddress());
        using (var timeout = new CancellationTokenSource(TimeSpan.FromMilliseconds(100)))
        {
            var firstReceive = async () => await receiver.ReceiveAsync(timeout.Token);
            await firstReceive.Should().ThrowAsync<OperationCanceledException>();
        }

        var pending = receiver.ReceiveWithTimeoutAsync();
        pending.IsCompleted.Should().BeFalse();
        await sender.SendAsync(receiver.LocalEndPoint, TestMessages.SampleSyn());
        var received = await pending;

        received.From.Should().Be(sender.LocalEndPoint);
        received.Message.Should().Be(TestMessages.SampleSyn());
    }

    [Fact]
    public async Task SendAsync_ToAddressNobodyListensOn_Succeeds()
    {
        await using var socket = await Transport.OpenAsync(NextListenAddress());
        var closed = await Transport.OpenAsync(NextListenAddress());
        var unboundAddress = closed.LocalEndPoint;
        await closed.DisposeAsync();

        var send = async () => await socket.SendAsync(unboundAddress, TestMessages.SampleSyn());

        await send.Should().NotThrowAsync();
    }

    [Theory]
    [MemberData(nameof(TestMessages.MessageTypeNames), MemberType = typeof(TestMessages))]
    public async Task SendAsync_EveryMessageTypeInV1_ReportsTheBytesOnTheWireAtBothEnds(string messageType)
    {
        await using var sender = await Transport.OpenAsync(NextListenAddress());
        await using var receiver = await Transport.OpenAsync(NextListenAddress());
        var message = TestMessages.OfType(messageType).WithVersion(ProtocolVersion.V1);

        var sent = await sender.SendAsync(receiver.LocalEndPoint, message);
        var received = await receiver.ReceiveWithTimeoutAsync();

        sent.Should().Be(message.SerializeToArray().Length);
        received.ByteCount.Should().Be(sent);
        received.Message.Should().Be(message);
        received.Message.Version.Should().Be(ProtocolVersion.V1);
    }

    [Theory]
    [MemberData(nameof(TestMessages.MessageTypeNames), MemberType = typeof(TestMessages))]
    public async Task SendAsync_EveryMessageType_ReceivedEqual(string messageType)
    {
        await using var sender = await Transport.OpenAsync(NextListenAddress());
        await using var receiver = await Transport.OpenAsync(NextListenAddress());
        var message = TestMessages.OfType(messageType);

        await sender.SendAsync(receiver.LocalEndPoint, message);
        var received = await receiver.ReceiveWithTimeoutAsync();

        received.Message.Should().Be(message);
        if (message is not ChitchatMessage.BadCluster)
        {
            received.Message.Should().NotBeSameAs(message, "a transport delivers a decoded copy");
        }

        received.From.Should().Be(sender.LocalEndPoint);
    }

    [Fact]
    public async Task SendAsync_ConcurrentSendersOnOneSocket_AllDelivered()
    {
        await using var sender = await Transport.OpenAsync(NextListenAddress());
        await using var receiver = await Transport.OpenAsync(NextListenAddress());
        const int Count = 50;

        // Receive concurrently so that neither a UDP buffer nor an inbox overflows.
        var receiving = Task.Run(async () =>
        {
            var clusters = new List<string>();
            for (var i = 0; i < Count; i++)
            {
                clusters.Add(((ChitchatMessage.Syn)(await receiver.ReceiveWithTimeoutAsync()).Message).ClusterId);
            }

            return clusters;
        });
        await Task.WhenAll(Enumerable.Range(0, Count).Select(i => Task.Run(async () =>
            await sender.SendAsync(receiver.LocalEndPoint, new ChitchatMessage.Syn($"cluster-{i}", new Digest())))));

        (await receiving).Should().BeEquivalentTo(Enumerable.Range(0, Count).Select(i => $"cluster-{i}"));
    }

    [Fact]
    public async Task ReceiveAsync_SocketDisposedWhilePending_ThrowsObjectDisposedException()
    {
        var socket = await Transport.OpenAsync(NextListenAddress());
        var pending = socket.ReceiveWithTimeoutAsync();

        await socket.DisposeAsync();

        await pending.Awaiting(p => p).Should().ThrowAsync<ObjectDisposedException>();
    }

    [Fact]
    public async Task SendAndReceive_AfterDispose_ThrowObjectDisposedException()
    {
        var socket = await Transport.OpenAsync(NextListenAddress());
        var target = socket.LocalEndPoint;
        await socket.DisposeAsync();
        await socket.DisposeAsync();

        await socket.Awaiting(s => s.SendAsync(target, TestMessages.SampleSyn()).AsTask())
            .Should().ThrowAsync<ObjectDisposedException>();
        await socket.Awaiting(s => s.ReceiveAsync().AsTask()).Should().ThrowAsync<ObjectDisposedException>();
    }

    [Fact]
    public async Task ReceiveAsync_SecondConcurrentReceive_ThrowsInvalidOperationException()
    {
        await using var socket = await Transport.OpenAsync(NextListenAddress());
        using var cancel = new CancellationTokenSource();
        var first = socket.ReceiveAsync(cancel.Token).AsTask();

        await socket.Awaiting(s => s.ReceiveAsync().AsTask()).Should().ThrowAsync<InvalidOperationException>();

        await cancel.CancelAsync();
        await first.Awaiting(f => f).Should().ThrowAsync<OperationCanceledException>();
    }

    [Fact]
    public async Task ReceiveAsync_AfterCancelledReceive_StillReceives()
    {
        await using var sender = await Transport.OpenAsync(NextListenAddress());
        await using var receiver = await Transport.OpenAsync(NextListenAddress());
        using var cancel = new CancellationTokenSource();
        var cancelled = receiver.ReceiveAsync(cancel.Token).AsTask();
        await cancel.CancelAsync();
        await cancelled.Awaiting(c => c).Should().ThrowAsync<OperationCanceledException>();

        await sender.SendAsync(receiver.LocalEndPoint, ChitchatMessage.BadCluster.Instance);

        (await receiver.ReceiveWithTimeoutAsync()).Message.Should().Be(ChitchatMessage.BadCluster.Instance);
    }
}
