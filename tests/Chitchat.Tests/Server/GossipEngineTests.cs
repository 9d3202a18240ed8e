using System.Net;
using Chitchat.Server;
using Chitchat.Transport;
using Chitchat.Wire;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;

namespace Chitchat.Tests.Server;

/// <summary>
/// The gossip engine on its own, without sockets or tasks: the decisions a server makes for a received message and
/// for a gossip round, driven synchronously (as a simulation drives it).
/// </summary>
public sealed class GossipEngineTests
{
    private readonly FakeTimeProvider _time = new();

    private (GossipEngine Engine, ChitchatInstance Instance) Create(int port, params int[] seeds)
    {
        var config = ChitchatConfig.ForTest(port);
        config.SeedNodes = [.. seeds.Select(seed => $"127.0.0.1:{seed}")];
        var instance = new ChitchatInstance(config, _time, new Random(7));
        instance.SetSeedAddrs(seeds.Select(seed => new IPEndPoint(IPAddress.Loopback, seed)).ToHashSet());
        return (new GossipEngine(new ChitchatRef(instance), _time, new Random(7), NullLogger.Instance), instance);
    }

    private static ReceivedMessage Received(ChitchatInstance from, ChitchatMessage message) =>
        new(from.SelfChitchatId.GossipAdvertiseAddr, message, message.SerializedLength);

    [Fact]
    public void PlanRound_JoiningNodeWithOnlyASeed_SendsOneSynToTheSeedPaddedForItsReply()
    {
        var (engine, _) = Create(4_001, 4_002);
        var outbox = new List<OutgoingDatagram>();

        engine.PlanRound(outbox);
        engine.CompleteRound();

        var datagram = outbox.Should().ContainSingle().Subject;
        datagram.To.Should().Be(new IPEndPoint(IPAddress.Loopback, 4_002));
        datagram.Kind.Should().Be(GossipKind.Seed);
        datagram.Message.Should().BeOfType<ChitchatMessage.Syn>();
        datagram.Message.SerializedLength.Should().Be(GossipEngine.UnverifiedSynLength);
    }

    [Fact]
    public void PlanRound_KnownLivePeers_EveryTargetGetsTheSameSyn()
    {
        var (engine, self) = Create(4_011, 4_012);
        var peers = Enumerable.Range(4_012, 5).Select(port => Create(port).Instance).ToList();
        foreach (var peer in peers)
        {
            // Each peer starts a handshake with the node: the node learns it (and its heartbeat).
            var synAck = engine.Handle(Received(peer, peer.CreateSynMessage()));
            synAck.Should().NotBeNull();
            var ack = peer.ProcessMessage(synAck!.Value.Message, int.MaxValue, self.SelfChitchatId.GossipAdvertiseAddr);
            engine.Handle(Received(peer, ack!));
        }

        var outbox = new List<OutgoingDatagram>();
        engine.PlanRound(outbox);

        outbox.Should().NotBeEmpty();
        var syns = outbox.Where(d => d.Kind == GossipKind.Live).Select(d => d.Message).ToList();
        syns.Should().NotBeEmpty().And.OnlyContain(message => ReferenceEquals(message, syns[0]), "a round's digest is built once");
        ((ChitchatMessage.Syn)syns[0]).Digest.Count.Should().Be(6);
    }

    [Fact]
    public void Handle_SynFromUnverifiedSource_ReplyNoLargerThanTheRequest()
    {
        var (engine, _) = Create(4_021);
        var (_, stranger) = Create(4_022);
        var syn = new ChitchatMessage.Syn(stranger.Config.ClusterId, new Digest());

        var reply = engine.Handle(Received(stranger, syn));

        reply.Should().NotBeNull();
        reply!.Value.Kind.Should().Be(GossipKind.Reply);
        reply.Value.To.Should().Be(stranger.SelfChitchatId.GossipAdvertiseAddr);
        reply.Value.Message.Should().BeOfType<ChitchatMessage.SynAck>();
        reply.Value.Message.SerializedLength.Should().BeLessThanOrEqualTo(syn.SerializedLength);
    }

    [Fact]
    public void Handle_SynAckAnsweringOurSyn_VerifiesTheSourceAndTheAckIsFullSize()
    {
        var (engine, self) = Create(4_031, 4_032);
        var (_, seed) = Create(4_032);
        for (var i = 0; i < 50; i++)
        {
            // Keys the seed does not have: the Ack carries them.
            self.SelfNodeState.Set($"key-{i}", new string('v', 100));
        }

        var outbox = new List<OutgoingDatagram>();
        engine.PlanRound(outbox);
        var syn = outbox.Single().Message;
        var synAck = seed.ProcessMessage(syn, int.MaxValue, self.SelfChitchatId.GossipAdvertiseAddr)!;

        var ack = engine.Handle(new ReceivedMessage(seed.SelfChitchatId.GossipAdvertiseAddr, synAck, 64));

        engine.PeerTable.IsVerified(seed.SelfChitchatId.GossipAdvertiseAddr).Should().BeTrue("it answered our Syn");
        ack.Should().NotBeNull();
        ack!.Value.Message.Should().BeOfType<ChitchatMessage.Ack>();
        ack.Value.Message.SerializedLength.Should().BeGreaterThan(64, "a verified source gets a full-size reply");
    }

    [Fact]
    public void Handle_MessageThatFailsToProcess_DroppedWithoutReplyAndTheEngineKeepsServing()
    {
        var config = ChitchatConfig.ForTest(4_041);
        var instance = new ChitchatInstance(config, _time);
        var calls = 0;
        var engine = new GossipEngine(
            new ChitchatRef(instance),
            _time,
            new Random(1),
            NullLogger.Instance,
            processMessage: (chitchat, received, maxLength) => ++calls == 1
                ? throw new InvalidOperationException("boom")
                : chitchat.ProcessMessage(received.Message, maxLength, received.From));
        var (_, peer) = Create(4_042);
        var syn = peer.CreateSynMessage();

        engine.Handle(Received(peer, syn)).Should().BeNull();
        engine.Handle(Received(peer, syn)).Should().NotBeNull();
    }
}
