using System.Net;
using Chitchat.Server;
using Chitchat.Wire;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;

namespace Chitchat.Tests.Server;

/// <summary>The rolling-upgrade rule: which version each Syn of a V1-configured node goes out in.</summary>
public sealed class PeerProtocolVersionsTests
{
    private static readonly IPEndPoint s_peer = IPEndPoint.Parse("10.0.0.2:7280");
    private static readonly ChitchatMessage s_v1SynAck = new ChitchatMessage.SynAck(new Digest(), Delta.Empty, ProtocolVersion.V1);
    private static readonly ChitchatMessage s_v0SynAck = new ChitchatMessage.SynAck(new Digest(), Delta.Empty);

    private readonly FakeTimeProvider _time = new();

    private PeerProtocolVersions Create(ProtocolVersion configured) => new(configured, _time, NullLogger.Instance);

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
        _time.Advance(PeerProtocolVersions.ProbeInterval - TimeSpan.FromTicks(1));
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
        versions.NextSynVersion(s_peer);
        versions.TrackedCount.Should().Be(1);
    }
}
