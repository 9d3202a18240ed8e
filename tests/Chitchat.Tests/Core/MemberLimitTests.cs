using System.Net;
using Chitchat.State;
using Chitchat.Wire;
using Microsoft.Extensions.Time.Testing;
using static Chitchat.Tests.Core.HandshakeHelpers;

namespace Chitchat.Tests.Core;

/// <summary>
/// Memory bounds on membership: invented members in hostile digests cannot grow the member table beyond
/// <see cref="ChitchatConfig.MaxMembers"/>, nor faster than <see cref="ChitchatConfig.MaxNewMembersPerSource"/> per
/// source and gossip interval.
/// </summary>
public sealed class MemberLimitTests
{
    private static readonly IPEndPoint s_source = IPEndPoint.Parse("10.0.0.9:7280");

    private static Digest DigestOf(IEnumerable<ChitchatId> ids)
    {
        var digest = new Digest();
        foreach (var id in ids)
        {
            digest.Add(id, 3, 0, 5);
        }

        return digest;
    }

    private static ChitchatInstance Node(FakeTimeProvider time, int maxMembers, int perSource)
    {
        var config = Config(10_001);
        config.MaxMembers = maxMembers;
        config.MaxNewMembersPerSource = perSource;
        return new ChitchatInstance(config, timeProvider: time);
    }

    [Fact]
    public void ProcessSyn_DigestBeyondMaxMembers_KeepsAtMostMaxMembersAndStillAnswers()
    {
        var node = Node(new FakeTimeProvider(), maxMembers: 50, perSource: 1_000);

        var reply = node.ProcessMessage(new ChitchatMessage.Syn(node.ClusterId, DigestOf(TestIds.Realistic(100))), source: s_source);

        reply.Should().BeOfType<ChitchatMessage.SynAck>();
        node.NodeStates.Should().HaveCount(50, "49 new members and the node itself");
        node.IgnoredMembersTotal.Should().Be(51);
    }

    [Fact]
    public void ProcessSyn_KnownMembers_StillGetTheirHeartbeatsAtTheCap()
    {
        var node = Node(new FakeTimeProvider(), maxMembers: 3, perSource: 1_000);
        var ids = TestIds.Realistic(5);
        node.ProcessMessage(new ChitchatMessage.Syn(node.ClusterId, DigestOf(ids)), source: s_source);
        var known = node.NodeStates.Keys.Where(id => !id.Equals(node.SelfChitchatId)).ToList();

        var digest = new Digest();
        foreach (var id in ids)
        {
            digest.Add(id, 10, 0, 5);
        }

        node.ProcessMessage(new ChitchatMessage.Syn(node.ClusterId, digest), source: s_source);

        known.Should().HaveCount(2);
        known.Select(id => node.NodeState(id)!.Heartbeat).Should().AllBeEquivalentTo(10UL);
    }

    [Fact]
    public void ProcessSyn_OneSourceFloodingNewMembers_LimitedPerGossipInterval()
    {
        var time = new FakeTimeProvider();
        var node = Node(time, maxMembers: 10_000, perSource: 10);
        var ids = TestIds.Realistic(100);

        foreach (var chunk in ids.Take(30).Chunk(10))
        {
            node.ProcessMessage(new ChitchatMessage.Syn(node.ClusterId, DigestOf(chunk)), source: s_source);
        }

        node.NodeStates.Should().HaveCount(11, "10 new members from that source in this interval");

        // Another port of the same host shares the budget; another host has its own.
        node.ProcessMessage(new ChitchatMessage.Syn(node.ClusterId, DigestOf(ids.Skip(30).Take(10))), source: IPEndPoint.Parse("10.0.0.9:7281"));
        node.NodeStates.Should().HaveCount(11);
        node.ProcessMessage(new ChitchatMessage.Syn(node.ClusterId, DigestOf(ids.Skip(40).Take(10))), source: IPEndPoint.Parse("10.0.0.10:7280"));
        node.NodeStates.Should().HaveCount(21);

        time.Advance(node.Config.GossipInterval);
        node.ProcessMessage(new ChitchatMessage.Syn(node.ClusterId, DigestOf(ids.Skip(50).Take(20))), source: s_source);
        node.NodeStates.Should().HaveCount(31, "the next interval allows 10 more");
    }

    [Fact]
    public void Allowance_MoreSourcesThanTracked_LaterSourcesIntroduceNothingUntilTheWindowEnds()
    {
        var time = new FakeTimeProvider();
        var limiter = new NewMemberLimiter(5, TimeSpan.FromSeconds(1), time);
        for (var i = 0; i < NewMemberLimiter.MaxSources; i++)
        {
            var source = new IPEndPoint(new IPAddress(0x0A000000 + i), 1);
            limiter.Allowance(source).Should().Be(5);
            limiter.Record(source, 1);
        }

        var late = IPEndPoint.Parse("192.0.2.1:1");
        limiter.Allowance(late).Should().Be(0, "memory stays bounded whatever addresses senders claim");
        limiter.Allowance(new IPEndPoint(new IPAddress(0x0A000000), 1)).Should().Be(4);
        time.Advance(TimeSpan.FromSeconds(1));
        limiter.Allowance(late).Should().Be(5);
        limiter.Allowance(null).Should().Be(int.MaxValue, "a local call is not limited per source");
    }

    [Fact]
    public void ResetNodeStateIfUpdate_AtMaxMembers_DoesNotCreateAMember()
    {
        var node = Node(new FakeTimeProvider(), maxMembers: 1, perSource: 10);

        node.ResetNodeStateIfUpdate(ChitchatId.ForLocalTest(10_002), [], 5, 0);

        node.NodeStates.Should().ContainSingle();
    }

    [Theory]
    [InlineData(0, 1, "MaxMembers")]
    [InlineData(1, 0, "MaxNewMembersPerSource")]
    public void Validate_NonPositiveMemberLimit_NamesTheSetting(int maxMembers, int perSource, string name)
    {
        var config = Config(10_001);
        config.MaxMembers = maxMembers;
        config.MaxNewMembersPerSource = perSource;

        var act = config.Validate;

        act.Should().Throw<ArgumentOutOfRangeException>().Which.ParamName.Should().Be(name);
    }
}
