using System.Net;
using System.Net.Sockets;
using Chitchat.Transport;
using Chitchat.Wire;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Testing;

namespace Chitchat.Tests.Transport;

/// <summary>
/// <see cref="UdpTransport"/> over real loopback sockets, always on port 0 so tests can run in parallel.
/// </summary>
public sealed class UdpTransportTests : TransportContractTests, IDisposable
{
    private readonly FakeLogCollector _logs = new();
    private readonly ILoggerFactory _loggerFactory;

    public UdpTransportTests()
    {
        _loggerFactory = new LoggerFactory([new FakeLoggerProvider(_logs)]);
        Transport = new UdpTransport(_loggerFactory);
    }

    protected override ITransport Transport { get; }

    public void Dispose() => _loggerFactory.Dispose();

    protected override IPEndPoint NextListenAddress() => new(IPAddress.Loopback, 0);

    [Fact]
    public async Task OpenAsync_Port0_ReportsTheBoundPort()
    {
        await using var socket = await Transport.OpenAsync(new IPEndPoint(IPAddress.Loopback, 0));

        socket.LocalEndPoint.Address.Should().Be(IPAddress.Loopback);
        socket.LocalEndPoint.Port.Should().BePositive();
    }

    [Fact]
    public async Task OpenAsync_AddressInUse_ThrowsIOExceptionNamingTheAddress()
    {
        await using var socket = await Transport.OpenAsync(NextListenAddress());

        var openAgain = async () => await Transport.OpenAsync(socket.LocalEndPoint);

        (await openAgain.Should().ThrowAsync<IOException>())
            .WithMessage($"failed to bind to {socket.LocalEndPoint}/UDP for gossip")
            .WithInnerException<SocketException>();
    }

    // TK1: port of chitchat test_udp_transport_ignore_invalid_payload.
    [Fact]
    public async Task ReceiveAsync_JunkThenSyn_SkipsJunkAndReturnsSynWithSourceAddress()
    {
        await using var socket = await Transport.OpenAsync(NextListenAddress());
        using var raw = RawLoopbackSocket();
        var valid = TestMessages.SampleSyn();

        await raw.SendToAsync("junk"u8.ToArray(), SocketFlags.None, socket.LocalEndPoint);
        await raw.SendToAsync(valid.SerializeToArray(), SocketFlags.None, socket.LocalEndPoint);
        var received = await socket.ReceiveWithTimeoutAsync();

        received.From.Should().Be(raw.LocalEndPoint);
        received.Message.Should().Be(valid);
        var invalid = _logs.GetSnapshot().Should().ContainSingle(r => r.Id.Id == 601).Subject;
        invalid.Level.Should().Be(LogLevel.Warning);
        invalid.Message.Should().Contain("invalid-chitchat-payload").And.Contain(raw.LocalEndPoint!.ToString());
        invalid.GetStructuredStateValue("PayloadLength").Should().Be("4");
    }

    [Fact]
    public async Task ReceiveAsync_ThousandGarbageDatagramsThenSyn_ReturnsSyn()
    {
        await using var socket = await Transport.OpenAsync(NextListenAddress());
        using var raw = RawLoopbackSocket();
        var garbage = GarbageDatagrams(1_000, seed: 7);
        var receive = socket.ReceiveWithTimeoutAsync();

        // Send in batches and wait until each batch is rejected, so the kernel's receive buffer never
        // overflows and every datagram really reaches the decoder.
        for (var batch = 0; batch < garbage.Count; batch += 100)
        {
            foreach (var datagram in garbage.Skip(batch).Take(100))
            {
                await raw.SendToAsync(datagram, SocketFlags.None, socket.LocalEndPoint);
            }

            await WaitForInvalidDatagramsAsync((UdpSocket)socket, batch + 100);
        }

        await raw.SendToAsync(TestMessages.SampleSyn().SerializeToArray(), SocketFlags.None, socket.LocalEndPoint);

        (await receive).Message.Should().Be(TestMessages.SampleSyn());
        ((UdpSocket)socket).InvalidDatagramCount.Should().Be(1_000);
        _logs.GetSnapshot().Count(r => r.Id.Id == 601).Should().Be(
            Chitchat.Logging.LogRateLimiter.Burst, "a flood of junk logs a bounded number of warnings");
    }

    [Fact]
    public async Task SendAsync_MessageLargerThanDatagram_ThrowsAndSendsNothing()
    {
        await using var sender = await Transport.OpenAsync(NextListenAddress());
        await using var receiver = await Transport.OpenAsync(NextListenAddress());
        var oversized = TestMessages.OversizedSynAck();
        oversized.SerializedLength.Should().BeGreaterThan(WireFormat.MaxUdpDatagramPayloadSize);

        var send = async () => await sender.SendAsync(receiver.LocalEndPoint, oversized);

        var thrown = (await send.Should().ThrowAsync<MessageTooLargeException>()).Which;
        thrown.MessageLength.Should().Be(oversized.SerializedLength);
        thrown.MaxLength.Should().Be(65_507);
        thrown.Message.Should().Contain("65507");
        await sender.SendAsync(receiver.LocalEndPoint, ChitchatMessage.BadCluster.Instance);
        (await receiver.ReceiveWithTimeoutAsync()).Message.Should().Be(ChitchatMessage.BadCluster.Instance);
    }

    [Fact]
    public async Task SendAsync_LargestDatagramSize_RoundTrips()
    {
        await using var sender = await Transport.OpenAsync(NextListenAddress());
        await using var receiver = await Transport.OpenAsync(NextListenAddress());
        var clusterId = new string('c', WireFormat.MaxUdpDatagramPayloadSize - 4 - 2 - 2);
        var message = new ChitchatMessage.Syn(clusterId, new Digest());
        message.SerializedLength.Should().Be(WireFormat.MaxUdpDatagramPayloadSize);

        await sender.SendAsync(receiver.LocalEndPoint, message);

        (await receiver.ReceiveWithTimeoutAsync()).Message.Should().Be(message);
    }

    [Fact]
    public async Task SendAndReceive_IPv6Loopback_Works()
    {
        if (!Socket.OSSupportsIPv6)
        {
            // No IPv6 on this machine: nothing to test (an explicit pass rather than a skip).
            return;
        }

        await using var sender = await Transport.OpenAsync(new IPEndPoint(IPAddress.IPv6Loopback, 0));
        await using var receiver = await Transport.OpenAsync(new IPEndPoint(IPAddress.IPv6Loopback, 0));

        await sender.SendAsync(receiver.LocalEndPoint, TestMessages.SampleSyn());
        var received = await receiver.ReceiveWithTimeoutAsync();

        receiver.LocalEndPoint.Address.Should().Be(IPAddress.IPv6Loopback);
        received.From.Should().Be(sender.LocalEndPoint);
        received.Message.Should().Be(TestMessages.SampleSyn());
    }

    [Fact]
    public async Task ReceiveAsync_IPv4PeerOnDualModeSocket_ReportsPlainIPv4Source()
    {
        if (!Socket.OSSupportsIPv6)
        {
            // No IPv6 on this machine, hence no dual-mode socket to test.
            return;
        }

        await using var receiver = await Transport.OpenAsync(new IPEndPoint(IPAddress.IPv6Any, 0));
        using var raw = RawLoopbackSocket();

        await raw.SendToAsync(
            TestMessages.SampleSyn().SerializeToArray(), SocketFlags.None, new IPEndPoint(IPAddress.Loopback, receiver.LocalEndPoint.Port));
        var received = await receiver.ReceiveWithTimeoutAsync();

        received.From.Address.IsIPv4MappedToIPv6.Should().BeFalse();
        received.From.Should().Be(raw.LocalEndPoint);
    }

    [Fact]
    public async Task SendAsync_IPv4MappedDestinationFromIPv4Socket_IsDelivered()
    {
        await using var sender = await Transport.OpenAsync(NextListenAddress());
        await using var receiver = await Transport.OpenAsync(NextListenAddress());
        var mapped = new IPEndPoint(receiver.LocalEndPoint.Address.MapToIPv6(), receiver.LocalEndPoint.Port);

        await sender.SendAsync(mapped, TestMessages.SampleSyn());

        (await receiver.ReceiveWithTimeoutAsync()).From.Should().Be(sender.LocalEndPoint);
    }

    private static Socket RawLoopbackSocket()
    {
        var raw = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
        raw.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        return raw;
    }

    /// <summary>Datagrams that do not decode: random bytes, empty ones, and corrupt messages behind a valid header.</summary>
    private static List<byte[]> GarbageDatagrams(int count, int seed)
    {
        var random = new Random(seed);
        var valid = TestMessages.OfType("SynAck").SerializeToArray();
        var datagrams = new List<byte[]>(count);
        while (datagrams.Count < count)
        {
            byte[] datagram;
            switch (datagrams.Count % 4)
            {
                case 0:
                    datagram = new byte[random.Next(0, 64)];
                    random.NextBytes(datagram);
                    break;
                case 1:
                    // A valid message cut short.
                    datagram = valid.AsSpan(0, random.Next(0, valid.Length)).ToArray();
                    break;
                case 2:
                    // A valid header followed by random bytes.
                    datagram = new byte[random.Next(4, 2_000)];
                    random.NextBytes(datagram);
                    valid.AsSpan(0, 4).CopyTo(datagram);
                    break;
                default:
                    // A valid message with one corrupted byte.
                    datagram = (byte[])valid.Clone();
                    datagram[random.Next(datagram.Length)] ^= (byte)random.Next(1, 256);
                    break;
            }

            if (!ChitchatMessage.TryDeserialize(datagram, out _, out _))
            {
                datagrams.Add(datagram);
            }
        }

        return datagrams;
    }

    private static async Task WaitForInvalidDatagramsAsync(UdpSocket socket, int expected)
    {
        using var timeout = new CancellationTokenSource(TestMessages.ReceiveTimeout);
        while (socket.InvalidDatagramCount < expected)
        {
            await Task.Delay(5, timeout.Token);
        }
    }

    [Fact]
    public async Task OpenAsync_AsksForALargeReceiveBuffer_AndGetsWhatTheSystemAllows()
    {
        await using var socket = await new UdpTransport().OpenAsync(new IPEndPoint(IPAddress.Loopback, 0));

        var granted = ((UdpSocket)socket).ReceiveBufferSize;

        if (OperatingSystem.IsLinux() && File.Exists("/proc/sys/net/core/rmem_max"))
        {
            // Linux caps the request at rmem_max (and reports twice what it keeps for bookkeeping).
            var max = int.Parse(File.ReadAllText("/proc/sys/net/core/rmem_max").Trim(), System.Globalization.CultureInfo.InvariantCulture);
            granted.Should().BeGreaterThanOrEqualTo(Math.Min(UdpSocket.DesiredReceiveBufferSize, max));
        }
        else
        {
            granted.Should().BePositive();
        }
    }
}
