using Chitchat.Extensions.Hosting.Dashboard;
using Chitchat.FailureDetection;

namespace Chitchat.Extensions.Hosting.Tests;

/// <summary>How the dashboard names a member's state from the failure detector's verdict and phi.</summary>
public sealed class DashboardViewTests
{
    [Theory]
    [InlineData(NodeLivenessState.Live, 0.4, true, "live")]
    [InlineData(NodeLivenessState.Live, null, true, "live")]
    [InlineData(NodeLivenessState.Live, 4.0, true, "live")]
    [InlineData(NodeLivenessState.Live, 4.01, true, "suspected")]
    [InlineData(NodeLivenessState.Live, 7.9, true, "suspected")]
    [InlineData(NodeLivenessState.Dead, 9.0, true, "dead")]
    [InlineData(NodeLivenessState.Dead, null, true, "dead")]
    [InlineData(NodeLivenessState.Dead, null, false, "joining")]
    [InlineData(NodeLivenessState.Unknown, null, false, "joining")]
    [InlineData(NodeLivenessState.ScheduledForDeletion, null, true, "scheduled for deletion")]
    [InlineData(NodeLivenessState.ScheduledForDeletion, null, false, "scheduled for deletion")]
    public void Verdict_PhiAgainstThreshold8(NodeLivenessState state, double? phi, bool everLive, string expected)
    {
        DashboardView.Verdict(state, phi, 8.0, everLive).Should().Be(expected);
    }

    [Theory]
    [InlineData(NodeLivenessState.Dead, true, "left")]
    [InlineData(NodeLivenessState.Dead, false, "dead")]
    [InlineData(NodeLivenessState.ScheduledForDeletion, true, "scheduled for deletion")]
    public void Verdict_MemberThatLeft_IsLeftWhileNotLive(NodeLivenessState state, bool left, string expected)
    {
        DashboardView.Verdict(state, null, 8.0, everLive: true, left).Should().Be(expected);
    }

    [Fact]
    public void MemberHistory_LeftAfterDead_StaysDead_LeftAlone_IsLeft()
    {
        var a = new ChitchatId("a", 1, new System.Net.IPEndPoint(System.Net.IPAddress.Loopback, 1));
        var b = new ChitchatId("b", 1, new System.Net.IPEndPoint(System.Net.IPAddress.Loopback, 2));
        var history = new MemberHistory();

        history.MarkDead(a);
        history.MarkLeft(a);
        history.MarkDead(b); // the failure detector's first verdict on a new member
        history.Observe(b, live: true);
        history.MarkLeft(b);

        history.HasLeft(a).Should().BeFalse("a dead member reaching half its grace period did not announce a departure");
        history.HasLeft(b).Should().BeTrue();
        history.KeepOnly([a]);
        history.HasLeft(b).Should().BeFalse("a forgotten member is forgotten by the dashboard too");
    }

    [Fact]
    public void MemberHistory_RemembersLiveMembers_UntilTheyLeaveTheCluster()
    {
        var a = new ChitchatId("a", 1, new System.Net.IPEndPoint(System.Net.IPAddress.Loopback, 1));
        var b = new ChitchatId("b", 1, new System.Net.IPEndPoint(System.Net.IPAddress.Loopback, 2));
        var history = new MemberHistory();

        history.Observe(a, live: false).Should().BeFalse("a new member was never live");
        history.Observe(a, live: true).Should().BeTrue();
        history.Observe(a, live: false).Should().BeTrue("a member that was live and is not any more is dead");
        history.Observe(b, live: false).Should().BeFalse();

        history.KeepOnly([b]);
        history.Observe(a, live: false).Should().BeFalse("a forgotten member is forgotten by the dashboard too");
    }
}
