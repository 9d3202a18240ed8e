using Chitchat.Cli.Dashboard;
using Chitchat.FailureDetection;

namespace Chitchat.IntegrationTests.Cli;

/// <summary>How the dashboard names a member's state from the failure detector's verdict and phi.</summary>
public sealed class DashboardViewTests
{
    [Theory]
    [InlineData(NodeLivenessState.Live, 0.4, "live")]
    [InlineData(NodeLivenessState.Live, null, "live")]
    [InlineData(NodeLivenessState.Live, 4.0, "live")]
    [InlineData(NodeLivenessState.Live, 4.01, "suspected")]
    [InlineData(NodeLivenessState.Live, 7.9, "suspected")]
    [InlineData(NodeLivenessState.Dead, 9.0, "dead")]
    [InlineData(NodeLivenessState.Dead, null, "dead")]
    [InlineData(NodeLivenessState.Unknown, null, "dead")]
    [InlineData(NodeLivenessState.ScheduledForDeletion, null, "scheduled for deletion")]
    public void Verdict_PhiAgainstThreshold8(NodeLivenessState state, double? phi, string expected)
    {
        DashboardView.Verdict(state, phi, 8.0).Should().Be(expected);
    }
}
