using System.Diagnostics;
using System.Net;
using Chitchat.Testing;
using Chitchat.Transport;
using Chitchat.Wire;

namespace Chitchat.Tests.Transport;

/// <summary><see cref="InMemoryTransport"/>: the shared contract (TK3, with chitchat's MTU of 65,507) and its own features.</summary>
public sealed class InMemoryTransportTests : TransportContractTests
{
    private readonly InMemoryTransport _transport = InMemoryTransport.WithMtu(65_507);
    private int _nextPort = 10_000;

    protected override ITransport Transport => _transport;

    protected override IPEndPoint NextListenAddress() => Address(_nextPort++);

    [Fact]
    public async Task OpenAsync_AddressAlreadyOpen_ThrowsAddressNotAvailable()
    {
        await using var socket = await _transport.OpenAsync(Address(10_000));

        var openAgain = async () => await _transport.OpenAsync(Address(10_000));

        await openAgain.Should().ThrowAsync<IOException>().WithMessage("Address not available `127.0.0.1:10000`");
    }

    [Fact]
    public async Task SendAsync_V0AndV1Messages_StatisticsSendResultAndReceivedByteCountAreTheEncodedLengths()
    {
        await using var receiver = await _transport.OpenAsync(Address(10_000));
        await using var sender = await _transport.OpenAsync(Address(10_001));
        var digest = new Digest();
        foreach (var id in TestIds.Realistic(50))
        {
            digest.Add(id, 42, 0, 7);
        }

        ChitchatMessage[] messages =
        [
            new ChitchatMessage.Syn("cluster", digest, ProtocolVersion.V0),
            new ChitchatMessage.Syn("cluster", digest, ProtocolVersion.V1),
            new ChitchatMessage.SynAck(digest, Delta.Empty, ProtocolVersion.V1),
            new ChitchatMessage.Ack(Delta.Empty, ProtocolVersion.V1),
            ChitchatMessage.BadCluster.ForVersion(ProtocolVersion.V1),
        ];
        var expected = messages.Select(m => m.SerializeToArray().Length).ToList();
        expected[1].Should().BeLessThan(expected[0], "a V1 digest of 50 similar members compresses");

        var sent = new List<int>();
        var received = new List<int>();
        foreach (var message in messages)
        {
            sent.Add(await sender.SendAsync(receiver.LocalEndPoint, message));
            var got = await receiver.ReceiveWithTimeoutAsync();
            got.Message.Version.Should().Be(message.Version);
            received.Add(got.ByteCount);
        }

        sent.Should().Equal(expected);
        received.Should().Equal(expected);
        _transport.Statistics.Should().Be(new TransportStatistics((ulong)expected.Sum(), (ulong)messages.Length));
    }

    [Fact]
    public async Task OpenAsync_IPv4MappedAddress_IsTheIPv4Address()
    {
        await using var socket = await _transport.OpenAsync(new IPEndPoint(IPAddress.Loopback.MapToIPv6(), 10_000));
        await using var sender = await _transport.OpenAsync(Address(10_001));

        await sender.SendAsync(Address(10_000), TestMessages.SampleSyn());

        socket.LocalEndPoint.Should().Be(Address(10_000));
        (await socket.ReceiveWithTimeoutAsync()).From.Should().Be(Address(10_001));
    }

    [Fact]
    public async Task SendAsync_MessageLargerThanMtu_ThrowsAndCountsNothing()
    {
        var transport = InMemoryTransport.WithMtu(100);
        await using var sender = await transport.OpenAsync(Address(1));
        await using var receiver = await transport.OpenAsync(Address(2));
        var large = TestMessages.OfType("SynAck");
        large.SerializedLength.Should().BeGreaterThan(100);

        var send = async () => await sender.SendAsync(receiver.LocalEndPoint, large);

        var thrown = (await send.Should().ThrowAsync<MessageTooLargeException>()
            .WithMessage("Serialized message size exceeds MTU.*")).Which;
        thrown.MessageLength.Should().Be(large.SerializedLength);
        thrown.MaxLength.Should().Be(100);
        transport.Statistics.Should().Be(new TransportStatistics(0, 0));
    }

    [Fact]
    public async Task SendAsync_MessageOfExactlyMtu_IsDelivered()
    {
        var syn = new ChitchatMessage.Syn(new string('c', 100 - 4 - 2 - 2), new Digest());
        syn.SerializedLength.Should().Be(100);
        var transport = InMemoryTransport.WithMtu(100);
        await using var sender = await transport.OpenAsync(Address(1));
        await using var receiver = await transport.OpenAsync(Address(2));

        await sender.SendAsync(receiver.LocalEndPoint, syn);

        (await receiver.ReceiveWithTimeoutAsync()).Message.Should().Be(syn);
    }

    [Fact]
    public async Task SendAsync_NoMtu_AcceptsMessagesLargerThanADatagram()
    {
        var transport = new InMemoryTransport();
        await using var sender = await transport.OpenAsync(Address(1));
        await using var receiver = await transport.OpenAsync(Address(2));
        var oversized = TestMessages.OversizedSynAck();

        await sender.SendAsync(receiver.LocalEndPoint, oversized);

        (await receiver.ReceiveWithTimeoutAsync()).Message.Should().Be(oversized);
    }

    [Fact]
    public async Task Statistics_CountsDeliveredAndDroppedMessages()
    {
        await using var a = await _transport.OpenAsync(Address(1));
        await using var b = await _transport.OpenAsync(Address(2));
        _transport.RemoveLink(Address(1), Address(3));
        var syn = TestMessages.SampleSyn();
        var ack = TestMessages.OfType("Ack");

        await a.SendAsync(Address(2), syn); // delivered
        await a.SendAsync(Address(9), ack); // nobody listens
        await a.SendAsync(Address(3), syn); // removed link

        _transport.Statistics.Should().Be(new TransportStatistics(
            (ulong)(syn.SerializedLength * 2 + ack.SerializedLength), 3));
    }

    [Fact]
    public async Task RemoveLink_BlocksBothDirections_AndAddLinkRestoresBoth()
    {
        await using var a = await _transport.OpenAsync(Address(1));
        await using var b = await _transport.OpenAsync(Address(2));
        await using var c = await _transport.OpenAsync(Address(3));

        _transport.RemoveLink(Address(1), Address(2));
        await a.SendAsync(Address(2), new ChitchatMessage.Syn("a-to-b", new Digest()));
        await b.SendAsync(Address(1), new ChitchatMessage.Syn("b-to-a", new Digest()));
        await c.SendAsync(Address(2), new ChitchatMessage.Syn("c-to-b", new Digest()));
        await c.SendAsync(Address(1), new ChitchatMessage.Syn("c-to-a", new Digest()));

        // In-memory delivery is synchronous: had the blocked messages arrived, they would come first.
        (await ReceiveClusterIdAsync(b)).Should().Be("c-to-b");
        (await ReceiveClusterIdAsync(a)).Should().Be("c-to-a");

        _transport.AddLink(Address(2), Address(1));
        await a.SendAsync(Address(2), new ChitchatMessage.Syn("a-to-b", new Digest()));
        await b.SendAsync(Address(1), new ChitchatMessage.Syn("b-to-a", new Digest()));

        (await ReceiveClusterIdAsync(b)).Should().Be("a-to-b");
        (await ReceiveClusterIdAsync(a)).Should().Be("b-to-a");
    }

    [Fact]
    public async Task SendAsync_InboxFull_DropsBeyond100Messages()
    {
        await using var sender = await _transport.OpenAsync(Address(1));
        await using var receiver = await _transport.OpenAsync(Address(2));

        for (var i = 0; i < 150; i++)
        {
            await sender.SendAsync(receiver.LocalEndPoint, new ChitchatMessage.Syn($"message-{i}", new Digest()));
        }

        for (var i = 0; i < 100; i++)
        {
            (await ReceiveClusterIdAsync(receiver)).Should().Be($"message-{i}");
        }

        using var timeout = new CancellationTokenSource(TimeSpan.FromMilliseconds(50));
        await receiver.Awaiting(r => r.ReceiveAsync(timeout.Token).AsTask()).Should().ThrowAsync<OperationCanceledException>();
        _transport.Statistics.NumMessagesTotal.Should().Be(150);
        _transport.InboxDrops.Should().Be(50, "the 50 messages beyond the inbox's capacity were dropped");
    }

    [Fact]
    public async Task SendAsync_MessageAlteredByCodecRoundTrip_ThrowsInvalidOperationException()
    {
        await using var sender = await _transport.OpenAsync(Address(1));
        // A key that is not valid UTF-16 (a lone surrogate) cannot cross the wire unchanged: UTF-8 replaces it.
        var inconsistent = new ChitchatMessage.Ack(Delta.FromNodeDeltas(
        [
            new NodeDelta(ChitchatId.ForLocalTest(1), 0, 0, 1, [new KeyValueMutation("k\uD800", "v", 1, DeletionStatus.Set)]),
        ]));

        var send = async () => await sender.SendAsync(Address(2), inconsistent);

        await send.Should().ThrowAsync<InvalidOperationException>().WithMessage("*round trip*");
    }

    [Fact]
    public async Task SendAsync_200SocketsGossiping_AllMessagesDeliveredQuickly()
    {
        const int NodeCount = 200;
        const int FanOut = 3;
        var transport = new InMemoryTransport();
        var sockets = new List<ISocket>();
        for (var i = 0; i < NodeCount; i++)
        {
            sockets.Add(await transport.OpenAsync(Address(20_000 + i)));
        }

        try
        {
            var stopwatch = Stopwatch.StartNew();
            var receivers = sockets.Select(socket => Task.Run(async () =>
            {
                var senders = new List<int>();
                for (var k = 0; k < FanOut; k++)
                {
                    senders.Add((await socket.ReceiveWithTimeoutAsync()).From.Port);
                }

                return senders;
            })).ToList();
            await Task.WhenAll(sockets.Select((socket, i) => Task.Run(async () =>
            {
                for (var k = 1; k <= FanOut; k++)
                {
                    var target = Address(20_000 + ((i + k) % NodeCount));
                    await socket.SendAsync(target, new ChitchatMessage.Syn("cluster", new Digest()));
                }
            })));
            var received = await Task.WhenAll(receivers);

            stopwatch.Elapsed.Should().BeLessThan(TimeSpan.FromSeconds(5));
            for (var i = 0; i < NodeCount; i++)
            {
                received[i].Should().BeEquivalentTo(
                    Enumerable.Range(1, FanOut).Select(k => 20_000 + ((i - k + NodeCount) % NodeCount)));
            }

            transport.Statistics.NumMessagesTotal.Should().Be(NodeCount * FanOut);
        }
        finally
        {
            foreach (var socket in sockets)
            {
                await socket.DisposeAsync();
            }
        }
    }

    [Fact]
    public void Constructor_NonPositiveMtu_Throws()
    {
        var create = () => InMemoryTransport.WithMtu(0);

        create.Should().Throw<ArgumentOutOfRangeException>();
    }

    private static IPEndPoint Address(int port) => new(IPAddress.Loopback, port);

    private static async Task<string> ReceiveClusterIdAsync(ISocket socket) =>
        ((ChitchatMessage.Syn)(await socket.ReceiveWithTimeoutAsync()).Message).ClusterId;
}
