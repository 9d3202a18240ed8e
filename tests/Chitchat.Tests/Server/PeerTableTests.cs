using System.Net;
using Chitchat.Server;
using Chitchat.Wire;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;

namespace Chitchat.Tests.Server;

/// <summary>
/// The per-peer table of the server: the rolling-upgrade rule (which version each Syn of a V1-configured node goes
/// out in) and return routability (which addresses proved they receive our datagrams).
/// </summary>
public sealed class PeerTableTests
{
    private static readonly IPEndPoint s_peer = IPEndPoint.Parse("10.0.0.2:7280");
    private static readonly ChitchatMessage s_v1SynAck = new ChitchatMessage.SynAck(new Digest(), Delta.Empty, ProtocolVersion.V1);
    private static readonly ChitchatMessage s_v0SynAck = new ChitchatMessage.SynAck(new Digest(), Delta.Empty);

    private readonly FakeTimeProvider _time = new();

    private PeerTable Create(ProtocolVersion configured) => new(configured, _time, NullLogger.Instance);

    [Fact]
    public void NextSynVersion_V0Configured_AlwaysV0()
    {
        var versions = Create(ProtocolVersion.V0);

        Enumerable.Range(0, 10).Select(_ => versions.NextSynVersion(s_peer)).Should().AllBeEquivalentTo(ProtocolVersion.V0);
    }

    [Fact]
    public void NextSynVersion_PeerAnswersV1_StaysV1()
    {
        var versions = Create(ProtocolVersion.V1);
        for (var i = 0; i < 20; i++)
        {
            versions.NextSynVersion(s_peer).Should().Be(ProtocolVersion.V1);
            versions.OnReceived(s_peer, s_v1SynAck);
        }
    }

    [Fact]
    public void NextSynVersion_ThreeV1SynsUnanswered_FallsBackToV0()
    {
        var versions = Create(ProtocolVersion.V1);

        var sent = Enumerable.Range(0, 6).Select(_ => versions.NextSynVersion(s_peer)).ToList();

        sent.Should().Equal(
            ProtocolVersion.V1, ProtocolVersion.V1, ProtocolVersion.V1, ProtocolVersion.V0, ProtocolVersion.V0, ProtocolVersion.V0);
        versions.UsesV0(s_peer).Should().BeTrue();
    }

    [Fact]
    public void NextSynVersion_V0AnswersOnly_StaysV0AndProbesV1EveryMinute()
    {
        // A chitchat 0.10 peer: it answers V0 Syns in V0 and drops V1 ones.
        var versions = Create(ProtocolVersion.V1);
        for (var i = 0; i < 4; i++)
        {
            versions.NextSynVersion(s_peer);
        }

        versions.OnReceived(s_peer, s_v0SynAck);
        _time.Advance(PeerTable.ProbeInterval - TimeSpan.FromTicks(1));
        versions.NextSynVersion(s_peer).Should().Be(ProtocolVersion.V0, "a V0 answer proves nothing about V1");
        _time.Advance(TimeSpan.FromTicks(1));
        versions.NextSynVersion(s_peer).Should().Be(ProtocolVersion.V1, "the probe");
        versions.NextSynVersion(s_peer).Should().Be(ProtocolVersion.V0, "the probe was not answered");
    }

    [Fact]
    public void OnReceived_V1MessageFromAV0Peer_SwitchesBackToV1AtOnce()
    {
        // The peer was upgraded in place and starts a handshake in V1.
        var versions = Create(ProtocolVersion.V1);
        for (var i = 0; i < 4; i++)
        {
            versions.NextSynVersion(s_peer);
        }

        versions.OnReceived(IPEndPoint.Parse("[::ffff:10.0.0.2]:7280"), new ChitchatMessage.Syn("c", new Digest(), ProtocolVersion.V1));

        versions.UsesV0(s_peer).Should().BeFalse();
        versions.NextSynVersion(s_peer).Should().Be(ProtocolVersion.V1);
    }

    [Fact]
    public void OnReceived_UnknownSource_IsNotTracked()
    {
        // Only addresses the node gossips with are remembered: arbitrary senders cannot grow the table.
        var versions = Create(ProtocolVersion.V1);
        var stranger = IPEndPoint.Parse("10.9.9.9:1");

        versions.OnReceived(stranger, s_v1SynAck);
        versions.OnReceived(stranger, new ChitchatMessage.Syn("c", new Digest(), ProtocolVersion.V1));

        versions.TrackedCount.Should().Be(0);
        versions.IsVerified(stranger).Should().BeFalse();
        versions.NextSynVersion(s_peer);
        versions.TrackedCount.Should().Be(1);
    }

    [Fact]
    public void IsVerified_SynAckAnsweringOurSyn_VerifiesUntilTheLifetimeEnds()
    {
        var table = Create(ProtocolVersion.V0);
        table.IsVerified(s_peer).Should().BeFalse();

        table.NextSynVersion(s_peer);
        _time.Advance(TimeSpan.FromSeconds(1));
        table.OnReceived(s_peer, s_v0SynAck);

        table.IsVerified(s_peer).Should().BeTrue();
        _time.Advance(PeerTable.VerifiedLifetime);
        table.IsVerified(s_peer).Should().BeTrue("exactly the lifetime after the last answer");
        _time.Advance(TimeSpan.FromTicks(1));
        table.IsVerified(s_peer).Should().BeFalse();
    }

    [Fact]
    public void IsVerified_UnsolicitedOrLateSynAck_DoesNotVerify()
    {
        var table = Create(ProtocolVersion.V1);
        var other = IPEndPoint.Parse("10.0.0.3:7280");

        // No Syn was ever sent to that address: a SynAck "from" it proves nothing (the source may be forged).
        table.OnReceived(other, s_v1SynAck);
        table.IsVerified(other).Should().BeFalse();

        // A SynAck arriving after the answer window does not count either.
        table.NextSynVersion(s_peer);
        _time.Advance(PeerTable.SynAnswerWindow + TimeSpan.FromTicks(1));
        table.OnReceived(s_peer, s_v1SynAck);
        table.IsVerified(s_peer).Should().BeFalse();

        // A Syn the peer starts is no answer: anybody can send one with a forged source.
        table.NextSynVersion(s_peer);
        table.OnReceived(s_peer, new ChitchatMessage.Syn("c", new Digest(), ProtocolVersion.V1));
        table.IsVerified(s_peer).Should().BeFalse();
    }

    [Fact]
    public void IsVerified_AckAnsweringOurSynAck_VerifiesEvenWithoutOurSyn()
    {
        // The peer started the exchange: our (small) SynAck reached it, since it answered with an Ack.
        var table = Create(ProtocolVersion.V0);
        var ack = new ChitchatMessage.Ack(Delta.Empty);

        table.OnReceived(s_peer, ack);
        table.IsVerified(s_peer).Should().BeFalse("no SynAck was sent to it");
        table.OnReplySent(s_peer, s_v0SynAck);
        _time.Advance(TimeSpan.FromSeconds(1));
        table.OnReceived(s_peer, ack);

        table.IsVerified(s_peer).Should().BeTrue();
    }

    [Fact]
    public void OnReplySent_FloodOfForgedSources_BoundedAndOnlyDelaysVerification()
    {
        var table = Create(ProtocolVersion.V0);
        table.OnReplySent(s_peer, s_v0SynAck);
        for (var i = 0; i < PeerTable.RecentRepliesCapacity; i++)
        {
            table.OnReplySent(new IPEndPoint(new IPAddress(0x0B000000 + i), 9), s_v0SynAck);
        }

        table.TrackedCount.Should().Be(0, "replies alone never add to the table");
        table.OnReceived(s_peer, new ChitchatMessage.Ack(Delta.Empty));
        table.IsVerified(s_peer).Should().BeFalse("the flood pushed our SynAck to the peer out of the list");

        table.OnReplySent(s_peer, s_v0SynAck);
        table.OnReceived(s_peer, new ChitchatMessage.Ack(Delta.Empty));
        table.IsVerified(s_peer).Should().BeTrue();
    }
}
