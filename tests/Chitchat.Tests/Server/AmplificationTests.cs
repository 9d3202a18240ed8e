using Chitchat.Wire;
using static Chitchat.Tests.Server.ServerTestSupport;

namespace Chitchat.Tests.Server;

/// <summary>
/// Anti-amplification: a source that has not answered one of our Syns may have a forged address, so the server's
/// reply to it is never larger than what it sent. Once it answered, replies are sized as usual.
/// </summary>
public sealed class AmplificationTests
{
    private static ChitchatConfig WithKeys(ChitchatConfig config, IEnumerable<KeyValuePair<string, string>> keyValues)
    {
        foreach (var (key, value) in keyValues)
        {
            config.InitialKeyValues[key] = value;
        }

        return config;
    }

    private static IEnumerable<KeyValuePair<string, string>> ThousandKeys()
    {
        // Random values of 100 characters: about 120 KB of state that zstd cannot shrink much.
        var random = new Random(42);
        return Enumerable.Range(0, 1_000).Select(i => new KeyValuePair<string, string>(
            $"key-{i:D4}", new string(random.GetItems("abcdefghijklmnopqrstuvwxyz0123456789".AsSpan(), 100))));
    }

    [Theory]
    [InlineData(ProtocolVersion.V0)]
    [InlineData(ProtocolVersion.V1)]
    public async Task ReceiveSyn_EmptyDigestFromUnverifiedSource_SynAckNoLargerThanTheSyn(ProtocolVersion version)
    {
        // Without the rule: a 15-byte Syn got a 16 KB SynAck (1,095x), 4,134x with 1,000 keys.
        var transport = NewTransport();
        var config = ChitchatConfig.ForTest(3_001);
        await using var server = await ChitchatServer.SpawnChitchatAsync(WithKeys(config, ThousandKeys()), transport);
        await using var raw = await transport.OpenAsync(Loopback(3_002));

        var sent = await raw.SendAsync(config.ChitchatId.GossipAdvertiseAddr, new ChitchatMessage.Syn(config.ClusterId, new Digest(), version));
        var reply = await raw.ReceiveAsync();

        var synAck = reply.Message.Should().BeOfType<ChitchatMessage.SynAck>().Subject;
        synAck.Version.Should().Be(version);
        reply.ByteCount.Should().BeLessThanOrEqualTo(sent);
    }

    [Fact]
    public async Task ReceiveSyn_SmallDigestFromUnverifiedSource_StillCarriesTheResponderItself()
    {
        // A joining node's first Syn holds its own entry: the reply, as large as that Syn, carries the responder's
        // own entry, so the joiner learns it and the handshake continues from the joiner's side.
        var transport = NewTransport();
        var config = ChitchatConfig.ForTest(3_011);
        await using var server = await ChitchatServer.SpawnChitchatAsync(WithKeys(config, ThousandKeys()), transport);
        var joinerConfig = ChitchatConfig.ForTest(3_012);
        var joiner = new ChitchatInstance(joinerConfig);
        await using var raw = await transport.OpenAsync(joinerConfig.ChitchatId.GossipAdvertiseAddr);

        var sent = await raw.SendAsync(config.ChitchatId.GossipAdvertiseAddr, joiner.CreateSynMessage());
        var (_, synAck) = await raw.ReceiveAsync<ChitchatMessage.SynAck>();

        synAck.SerializedLength.Should().BeLessThanOrEqualTo(sent);
        synAck.Digest.TryGetValue(config.ChitchatId, out _).Should().BeTrue();
    }

    [Fact]
    public async Task ReceiveSynAck_Unsolicited_AckNoLargerThanTheSynAck()
    {
        // Without the rule: an unsolicited 7-byte SynAck got a 16 KB Ack (2,333x), 8,844x with 1,000 keys.
        var transport = NewTransport();
        var config = ChitchatConfig.ForTest(3_021);
        await using var server = await ChitchatServer.SpawnChitchatAsync(WithKeys(config, ThousandKeys()), transport);
        await using var raw = await transport.OpenAsync(Loopback(3_022));

        var sent = await raw.SendAsync(config.ChitchatId.GossipAdvertiseAddr, new ChitchatMessage.SynAck(new Digest(), Delta.Empty));
        var reply = await raw.ReceiveAsync();

        reply.Message.Should().BeOfType<ChitchatMessage.Ack>();
        sent.Should().Be(7);
        reply.ByteCount.Should().BeLessThanOrEqualTo(sent);
    }

    [Fact]
    public async Task VerifiedPeer_AfterAnsweringOurSyn_GetsFullSizeReplies()
    {
        var transport = NewTransport();
        var config = ChitchatConfig.ForTest(3_031);
        await using var server = await ChitchatServer.SpawnChitchatAsync(WithKeys(config, ThousandKeys()), transport);
        var peerAddress = Loopback(3_032);
        await using var raw = await transport.OpenAsync(peerAddress);

        // The server starts a handshake with the address, which answers: it demonstrably receives our datagrams.
        server.Gossip(peerAddress);
        await raw.ReceiveAsync<ChitchatMessage.Syn>();
        var sent = await raw.SendAsync(config.ChitchatId.GossipAdvertiseAddr, new ChitchatMessage.SynAck(new Digest(), Delta.Empty));
        var (_, ack) = await raw.ReceiveAsync<ChitchatMessage.Ack>();
        ack.SerializedLength.Should().BeGreaterThan(50_000, "the Ack fills its budget with the keys the peer lacks");

        sent = await raw.SendAsync(config.ChitchatId.GossipAdvertiseAddr, new ChitchatMessage.Syn(config.ClusterId, new Digest()));
        var (_, synAck) = await raw.ReceiveAsync<ChitchatMessage.SynAck>();
        synAck.SerializedLength.Should().BeGreaterThan(100 * sent);
    }

    [Fact]
    public async Task Gossip_ToAPeerThatHasNotAnswered_SynIsPaddedUntilItAnswers()
    {
        // The padding buys the room a .NET responder allows an unverified source: a joiner's first Syn gets the
        // responder's digest back. Decoders, Rust's included, ignore the zero bytes after the message.
        var transport = NewTransport();
        var config = ChitchatConfig.ForTest(3_041);
        await using var server = await ChitchatServer.SpawnChitchatAsync(config, transport);
        var peerAddress = Loopback(3_042);
        await using var raw = await transport.OpenAsync(peerAddress);

        server.Gossip(peerAddress);
        var first = await raw.ReceiveAsync();
        first.Message.Should().BeOfType<ChitchatMessage.Syn>();
        first.ByteCount.Should().Be(Chitchat.Server.GossipEngine.UnverifiedSynLength);
        first.Message.SerializedLength.Should().BeLessThan(200, "the message itself is small; the rest is padding");

        await raw.SendAsync(config.ChitchatId.GossipAdvertiseAddr, new ChitchatMessage.SynAck(new Digest(), Delta.Empty));
        await raw.ReceiveAsync<ChitchatMessage.Ack>();
        server.Gossip(peerAddress);
        var second = await raw.ReceiveAsync();
        second.Message.Should().BeOfType<ChitchatMessage.Syn>();
        second.ByteCount.Should().Be(second.Message.SerializedLength, "an answered peer gets no padding");
    }

    [Fact]
    public void ProcessSyn_PaddedSynFromAJoiner_RepliesWithTheWholeDigest()
    {
        var seed = new ChitchatInstance(ChitchatConfig.ForTest(3_051));
        var members = new Digest();
        foreach (var id in TestIds.Realistic(50))
        {
            members.Add(id, 3, 0, 0);
        }

        seed.ReportHeartbeatsInDigest(members);
        var joiner = new ChitchatInstance(ChitchatConfig.ForTest(3_052));
        var padded = joiner.CreateSynMessage().WithPadding(Chitchat.Server.GossipEngine.UnverifiedSynLength);
        var bytes = padded.SerializeToArray();
        ChitchatMessage.TryDeserialize(bytes, out var decoded, out _).Should().BeTrue();

        var synAck = (ChitchatMessage.SynAck)seed.ProcessMessage(decoded!, maxReplyLength: bytes.Length)!;

        bytes.Should().HaveCount(Chitchat.Server.GossipEngine.UnverifiedSynLength);
        decoded.Should().Be(joiner.CreateSynMessage(), "padding is not part of the message");
        synAck.Digest.Count.Should().Be(52, "the seed, its 50 members and the joiner: the joiner learns them all from its first exchange");
        synAck.SerializedLength.Should().BeLessThanOrEqualTo(bytes.Length);
    }
}
