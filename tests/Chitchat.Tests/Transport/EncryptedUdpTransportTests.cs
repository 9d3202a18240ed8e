using System.Net;
using System.Net.Sockets;
using Chitchat.Transport;
using Chitchat.Wire;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Testing;
using Microsoft.Extensions.Time.Testing;
using static Chitchat.Transport.EncryptedUdpSocket;

namespace Chitchat.Tests.Transport;

/// <summary>The AES-GCM transport over real loopback sockets (port 0).</summary>
public sealed class EncryptedUdpTransportTests : IDisposable
{
    private const string ClusterId = "cluster_id";
    private static readonly byte[] s_key1 = new byte[32].Fill(0x11);
    private static readonly byte[] s_key2 = new byte[16].Fill(0x22);
    private static readonly IPEndPoint s_loopback0 = new(IPAddress.Loopback, 0);

    private readonly FakeLogCollector _logs = new();
    private readonly ILoggerFactory _loggerFactory;
    private readonly FakeTimeProvider _time = new();
    private readonly UdpTransport _udp;

    public EncryptedUdpTransportTests()
    {
        _loggerFactory = new LoggerFactory([new FakeLoggerProvider(_logs)]);
        _udp = new UdpTransport(_loggerFactory);
    }

    public void Dispose() => _loggerFactory.Dispose();

    [Theory]
    [MemberData(nameof(TestMessages.MessageTypeNames), MemberType = typeof(TestMessages))]
    public async Task SendAsync_EveryMessageTypeBothVersions_RoundTripsWith36BytesOverhead(string messageType)
    {
        await using var sender = await OpenAsync(Keyring(s_key1));
        await using var receiver = await OpenAsync(Keyring(s_key1));
        foreach (var version in new[] { ProtocolVersion.V0, ProtocolVersion.V1 })
        {
            var message = TestMessages.OfType(messageType).WithVersion(version);

            var sent = await sender.SendAsync(receiver.LocalEndPoint, message);
            var received = await receiver.ReceiveWithTimeoutAsync();

            sent.Should().Be(message.SerializedLength + DatagramEnvelope.Overhead).And.Be(message.SerializedLength + 36);
            received.ByteCount.Should().Be(sent);
            received.Message.Should().Be(message);
            received.Message.Version.Should().Be(version);
            received.From.Should().Be(sender.LocalEndPoint);
        }
    }

    [Fact]
    public async Task SendAsync_OnTheWire_IsOpaqueAndRejectedByAPlaintextDecoderAsInvalidMagic()
    {
        await using var sender = await OpenAsync(Keyring(s_key1));
        using var raw = RawLoopbackSocket();
        var message = new ChitchatMessage.Syn("a-very-recognisable-cluster-id", new Digest());

        await sender.SendAsync((IPEndPoint)raw.LocalEndPoint!, message);
        var datagram = await ReceiveRawAsync(raw);

        datagram.AsSpan(0, 3).ToArray().Should().Equal(0xCC, 0xE5, 1);
        datagram.Length.Should().Be(message.SerializedLength + 36);
        System.Text.Encoding.ASCII.GetString(datagram).Should().NotContain("recognisable");
        ChitchatMessage.TryDeserialize(datagram, out _, out var error).Should().BeFalse();
        error.Kind.Should().Be(DecodeErrorKind.InvalidMagicNumber, "a Rust node or a plaintext node drops it as junk");
    }

    [Fact]
    public async Task SendAsync_TwoDatagramsOfOneMessage_UseDifferentNonces()
    {
        await using var sender = await OpenAsync(Keyring(s_key1));
        using var raw = RawLoopbackSocket();

        await sender.SendAsync((IPEndPoint)raw.LocalEndPoint!, TestMessages.SampleSyn());
        await sender.SendAsync((IPEndPoint)raw.LocalEndPoint!, TestMessages.SampleSyn());
        var first = await ReceiveRawAsync(raw);
        var second = await ReceiveRawAsync(raw);

        first.AsSpan(8, 12).SequenceEqual(second.AsSpan(8, 12)).Should().BeFalse();
        first.AsSpan(20).SequenceEqual(second.AsSpan(20)).Should().BeFalse();
    }

    [Theory]
    [InlineData(2)] // Format version.
    [InlineData(3)] // Protocol version.
    [InlineData(9)] // Nonce.
    [InlineData(20)] // Ciphertext.
    [InlineData(-1)] // Tag.
    public async Task ReceiveAsync_TamperedByte_DroppedThenNextDatagramDelivered(int offset)
    {
        await using var sender = await OpenAsync(Keyring(s_key1));
        await using var receiver = await OpenAsync(Keyring(s_key1));
        using var raw = RawLoopbackSocket();
        await sender.SendAsync((IPEndPoint)raw.LocalEndPoint!, TestMessages.OfType("SynAck"));
        var datagram = await ReceiveRawAsync(raw);
        datagram[offset < 0 ? datagram.Length + offset : offset] ^= 0x01;

        await raw.SendToAsync(datagram, SocketFlags.None, receiver.LocalEndPoint);
        await sender.SendAsync(receiver.LocalEndPoint, TestMessages.SampleSyn());
        var received = await receiver.ReceiveWithTimeoutAsync();

        received.Message.Should().Be(TestMessages.SampleSyn());
        ((EncryptedUdpSocket)receiver).DropCount(DropReason.Unauthentic).Should().Be(1);
    }

    [Fact]
    public async Task ReceiveAsync_TruncatedOrGarbageBehindTheMagic_DroppedWithoutThrowing()
    {
        await using var sender = await OpenAsync(Keyring(s_key1));
        await using var receiver = await OpenAsync(Keyring(s_key1));
        using var raw = RawLoopbackSocket();
        await sender.SendAsync((IPEndPoint)raw.LocalEndPoint!, TestMessages.OfType("SynAck"));
        var valid = await ReceiveRawAsync(raw);
        var random = new Random(13);
        var garbage = new List<byte[]>();
        for (var i = 0; i < 100; i++)
        {
            var datagram = i % 2 == 0 ? valid.AsSpan(0, random.Next(0, valid.Length)).ToArray() : new byte[random.Next(2, 600)];
            if (i % 2 == 1)
            {
                random.NextBytes(datagram);
                datagram[0] = 0xCC;
                datagram[1] = 0xE5;
                if (i % 4 == 1 && datagram.Length >= 8)
                {
                    valid.AsSpan(4, 4).CopyTo(datagram.AsSpan(4)); // The right key id, a forged rest.
                }
            }

            garbage.Add(datagram);
        }

        foreach (var datagram in garbage)
        {
            await raw.SendToAsync(datagram, SocketFlags.None, receiver.LocalEndPoint);
        }

        await sender.SendAsync(receiver.LocalEndPoint, TestMessages.SampleSyn());
        var received = await receiver.ReceiveWithTimeoutAsync();

        received.Message.Should().Be(TestMessages.SampleSyn());
        var socket = (EncryptedUdpSocket)receiver;
        (socket.DropCount(DropReason.Unauthentic) + socket.DropCount(DropReason.UnknownKey) + socket.DropCount(DropReason.Plaintext))
            .Should().Be(garbage.Count);
    }

    [Fact]
    public async Task ReceiveAsync_KeyNotInKeyring_Dropped()
    {
        await using var sender = await OpenAsync(Keyring(s_key2));
        await using var receiver = await OpenAsync(Keyring(s_key1));
        await using var control = await OpenAsync(Keyring(s_key1));

        await sender.SendAsync(receiver.LocalEndPoint, TestMessages.OfType("Ack"));
        await control.SendAsync(receiver.LocalEndPoint, TestMessages.SampleSyn());
        var received = await receiver.ReceiveWithTimeoutAsync();

        received.From.Should().Be(control.LocalEndPoint);
        ((EncryptedUdpSocket)receiver).DropCount(DropReason.UnknownKey).Should().Be(1);
    }

    [Fact]
    public async Task ReceiveAsync_SameKeyOtherClusterId_DroppedAsUnauthentic()
    {
        await using var sender = await OpenAsync(Keyring(s_key1), clusterId: "other-cluster");
        await using var receiver = await OpenAsync(Keyring(s_key1));
        await using var control = await OpenAsync(Keyring(s_key1));

        await sender.SendAsync(receiver.LocalEndPoint, TestMessages.OfType("Ack"));
        await control.SendAsync(receiver.LocalEndPoint, TestMessages.SampleSyn());
        var received = await receiver.ReceiveWithTimeoutAsync();

        received.From.Should().Be(control.LocalEndPoint);
        ((EncryptedUdpSocket)receiver).DropCount(DropReason.Unauthentic).Should().Be(1);
    }

    [Fact]
    public async Task Rotation_EachStepUnderstoodByNodesOfTheNeighbouringStep()
    {
        // Step 0: [k1]. Step 1: [k1, k2] (k2 decrypt-only). Step 2: [k2, k1] (k2 primary). Step 3: [k2].
        EncryptionKeyring[] steps =
        [
            Keyring(s_key1), Keyring(s_key1, s_key2), Keyring(s_key2, s_key1), Keyring(s_key2),
        ];
        for (var step = 0; step < steps.Length - 1; step++)
        {
            await using var before = await OpenAsync(steps[step]);
            await using var after = await OpenAsync(steps[step + 1]);

            await before.SendAsync(after.LocalEndPoint, TestMessages.SampleSyn());
            (await after.ReceiveWithTimeoutAsync()).From.Should().Be(before.LocalEndPoint, $"step {step + 1} reads step {step}");
            await after.SendAsync(before.LocalEndPoint, TestMessages.SampleSyn());
            (await before.ReceiveWithTimeoutAsync()).From.Should().Be(after.LocalEndPoint, $"step {step} reads step {step + 1}");
        }

        // Skipping a step breaks: a node with only k1 cannot read k2.
        await using var oldNode = await OpenAsync(steps[0]);
        await using var newNode = await OpenAsync(steps[2]);
        await newNode.SendAsync(oldNode.LocalEndPoint, TestMessages.SampleSyn());
        await oldNode.SendAsync(oldNode.LocalEndPoint, TestMessages.OfType("Ack"));
        (await oldNode.ReceiveWithTimeoutAsync()).Message.Type.Should().Be(MessageType.Ack);
        ((EncryptedUdpSocket)oldNode).DropCount(DropReason.UnknownKey).Should().Be(1);
    }

    [Fact]
    public async Task RequireMode_Plaintext_DroppedAndLoggedAtMostOncePerIntervalWithSuppressedCount()
    {
        await using var receiver = await OpenAsync(Keyring(s_key1), EncryptionMode.Require);
        await using var plaintext = await _udp.OpenAsync(s_loopback0);
        await using var control = await OpenAsync(Keyring(s_key1));

        for (var i = 0; i < 5; i++)
        {
            await plaintext.SendAsync(receiver.LocalEndPoint, TestMessages.SampleSyn());
        }

        await control.SendAsync(receiver.LocalEndPoint, TestMessages.OfType("Ack"));
        (await receiver.ReceiveWithTimeoutAsync()).From.Should().Be(control.LocalEndPoint);
        DropLogEntries().Should().ContainSingle().Which.Message.Should().Contain("plaintext datagram, and encryption is required")
            .And.Contain("(0 similar drops");

        _time.Advance(EncryptedUdpSocket.DropLogInterval);
        await plaintext.SendAsync(receiver.LocalEndPoint, TestMessages.SampleSyn());
        await control.SendAsync(receiver.LocalEndPoint, TestMessages.OfType("Ack"));
        (await receiver.ReceiveWithTimeoutAsync()).From.Should().Be(control.LocalEndPoint);

        ((EncryptedUdpSocket)receiver).DropCount(DropReason.Plaintext).Should().Be(6);
        DropLogEntries().Should().HaveCount(2);
        DropLogEntries()[1].Message.Should().Contain("(4 similar drops not logged since the last entry)");
    }

    [Fact]
    public async Task AcceptMode_SendsEncryptedAndAcceptsBoth()
    {
        await using var node = await OpenAsync(Keyring(s_key1), EncryptionMode.Accept);
        await using var plaintext = await _udp.OpenAsync(s_loopback0);
        await using var encrypted = await OpenAsync(Keyring(s_key1));
        using var raw = RawLoopbackSocket();

        await plaintext.SendAsync(node.LocalEndPoint, TestMessages.SampleSyn());
        (await node.ReceiveWithTimeoutAsync()).From.Should().Be(plaintext.LocalEndPoint);
        await encrypted.SendAsync(node.LocalEndPoint, TestMessages.SampleSyn());
        (await node.ReceiveWithTimeoutAsync()).From.Should().Be(encrypted.LocalEndPoint);
        await node.SendAsync((IPEndPoint)raw.LocalEndPoint!, TestMessages.SampleSyn());
        (await ReceiveRawAsync(raw))[0].Should().Be(DatagramEnvelope.Magic0);
        ((IMessageSizeLimit)node).MaxMessageLength.Should().Be(65_507 - 36);
    }

    [Fact]
    public async Task PrepareMode_SendsPlaintextAndAcceptsBoth()
    {
        await using var node = await OpenAsync(Keyring(s_key1), EncryptionMode.Prepare);
        await using var plaintext = await _udp.OpenAsync(s_loopback0);
        await using var encrypted = await OpenAsync(Keyring(s_key1));

        await node.SendAsync(plaintext.LocalEndPoint, TestMessages.SampleSyn());
        (await plaintext.ReceiveWithTimeoutAsync()).From.Should().Be(node.LocalEndPoint, "a plaintext node reads a preparing node");
        await encrypted.SendAsync(node.LocalEndPoint, TestMessages.SampleSyn());
        (await node.ReceiveWithTimeoutAsync()).From.Should().Be(encrypted.LocalEndPoint);
        await plaintext.SendAsync(node.LocalEndPoint, TestMessages.SampleSyn());
        (await node.ReceiveWithTimeoutAsync()).From.Should().Be(plaintext.LocalEndPoint);
        ((IMessageSizeLimit)node).MaxMessageLength.Should().Be(65_507);
    }

    [Fact]
    public async Task SendAsync_MessageLargerThanTheEncryptedBudget_ThrowsAndSendsNothing()
    {
        await using var sender = await OpenAsync(Keyring(s_key1));
        var message = TestMessages.OversizedSynAck();

        var send = async () => await sender.SendAsync(s_loopback0, message);

        (await send.Should().ThrowAsync<MessageTooLargeException>()).WithMessage("*at most 65471 bytes of message (36 bytes go to the encryption)*");
    }

    [Fact]
    public void WithEncryption_UndefinedMode_Throws()
    {
        var create = () => _udp.WithEncryption(Keyring(s_key1), ClusterId, (EncryptionMode)7);

        create.Should().Throw<ArgumentOutOfRangeException>();
    }

    private static EncryptionKeyring Keyring(byte[] primary, params byte[][] decryptOnly) => EncryptionKeyring.Create(primary, decryptOnly);

    private static Socket RawLoopbackSocket()
    {
        var raw = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
        raw.Bind(s_loopback0);
        return raw;
    }

    private static async Task<byte[]> ReceiveRawAsync(Socket raw)
    {
        var buffer = new byte[65_536];
        using var timeout = new CancellationTokenSource(TestMessages.ReceiveTimeout);
        var length = await raw.ReceiveAsync(buffer, SocketFlags.None, timeout.Token);
        return buffer.AsSpan(0, length).ToArray();
    }

    private async Task<ISocket> OpenAsync(EncryptionKeyring keyring, EncryptionMode mode = EncryptionMode.Require, string clusterId = ClusterId) =>
        await _udp.WithEncryption(keyring, clusterId, mode, _time).OpenAsync(s_loopback0);

    private List<FakeLogRecord> DropLogEntries() => _logs.GetSnapshot().Where(record => record.Id.Id == 621).ToList();
}

/// <summary>What rejecting a datagram costs the encrypted socket's receive path.</summary>
public sealed class EncryptedDatagramRejectionTests
{
    [Fact]
    public async Task TryOpen_RejectedDatagrams_AllocateNothing()
    {
        var keyring = EncryptionKeyring.Create(new byte[32].Fill(5));
        await using var socket = (EncryptedUdpSocket)await new UdpTransport().WithEncryption(keyring, "c").OpenAsync(new IPEndPoint(IPAddress.Loopback, 0));
        var plaintext = TestMessages.SampleSyn().SerializeToArray();
        var unknownKey = new byte[200];
        unknownKey[0] = DatagramEnvelope.Magic0;
        unknownKey[1] = DatagramEnvelope.Magic1;
        unknownKey[2] = DatagramEnvelope.FormatVersion;
        var truncated = unknownKey.AsSpan(0, 30).ToArray();
        var badFormat = (byte[])unknownKey.Clone();
        System.Buffers.Binary.BinaryPrimitives.WriteUInt32BigEndian(badFormat.AsSpan(4), keyring.KeyIds[0]);
        badFormat[2] = 9;

        foreach (var (datagram, reason) in new[]
        {
            (plaintext, DropReason.Plaintext), (unknownKey, DropReason.UnknownKey),
            (truncated, DropReason.Unauthentic), (badFormat, DropReason.Unauthentic),
        })
        {
            socket.TryOpen(datagram, out _, out var actual).Should().BeFalse();
            actual.Should().Be(reason);
            AllocationMeter.Minimum(() => socket.TryOpen(datagram, out _, out _)).Should().Be(0, reason.ToString());
        }
    }

    [Fact]
    public async Task TryOpen_SealedDatagram_Opens()
    {
        var keyring = EncryptionKeyring.Create(new byte[32].Fill(5));
        await using var sender = await new UdpTransport().WithEncryption(keyring, "c").OpenAsync(new IPEndPoint(IPAddress.Loopback, 0));
        await using var receiver = (EncryptedUdpSocket)await new UdpTransport().WithEncryption(keyring, "c").OpenAsync(new IPEndPoint(IPAddress.Loopback, 0));
        using var raw = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
        raw.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        await sender.SendAsync((IPEndPoint)raw.LocalEndPoint!, TestMessages.SampleSyn());
        var buffer = new byte[65_536];
        using var timeout = new CancellationTokenSource(TestMessages.ReceiveTimeout);
        var length = await raw.ReceiveAsync(buffer, SocketFlags.None, timeout.Token);

        receiver.TryOpen(buffer.AsSpan(0, length), out var message, out _).Should().BeTrue();
        message.Should().Be(TestMessages.SampleSyn());
    }
}
