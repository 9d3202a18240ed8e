using Microsoft.Extensions.Time.Testing;
using static Chitchat.Tests.Server.ServerTestSupport;

namespace Chitchat.Tests.Server;

/// <summary><see cref="ChitchatHandle.LeaveAsync"/> on one node with a fake clock: announce, two rounds, stop.</summary>
public sealed class ChitchatHandleLeaveTests
{
    private static readonly TimeSpan s_timeout = TimeSpan.FromSeconds(10);

    // Ticks that find the previous one unserved are merged (as a periodic timer's are): advance one interval and let
    // its round finish before the next.
    private static async Task AdvanceOneRoundAsync(FakeTimeProvider time, ChitchatHandle node, TimeSpan interval)
    {
        var next = node.CompletedGossipRounds + 1;
        time.Advance(interval);
        await node.WhenGossipRoundsCompletedAsync(next).WaitAsync(s_timeout);
    }

    [Fact]
    public async Task LeaveAsync_Running_AnnouncesThenStopsAfterTwoGossipIntervals()
    {
        var time = new FakeTimeProvider();
        var config = ChitchatConfig.ForTest(7101);
        await using var node = await ChitchatServer.SpawnChitchatAsync(config, NewTransport(), new ChitchatServerOptions { TimeProvider = time });

        await node.WhenGossipRoundsCompletedAsync(1).WaitAsync(s_timeout); // the round run at start

        var leaving = node.LeaveAsync();

        node.Chitchat.GetSelfNodeState().TryGetValue(ChitchatInstance.LeavingKey, out var announced).Should().BeTrue();
        announced.Should().Be("true");
        await AdvanceOneRoundAsync(time, node, config.GossipInterval);
        leaving.IsCompleted.Should().BeFalse("it keeps gossiping for two rounds");
        node.Termination.IsCompleted.Should().BeFalse();

        await AdvanceOneRoundAsync(time, node, config.GossipInterval);
        await leaving.WaitAsync(s_timeout);

        node.Termination.IsCompletedSuccessfully.Should().BeTrue();
    }

    [Fact]
    public async Task LeaveAsync_Cancelled_ThrowsAndTheNodeStillStops()
    {
        var time = new FakeTimeProvider();
        await using var node = await ChitchatServer.SpawnChitchatAsync(ChitchatConfig.ForTest(7102), NewTransport(), new ChitchatServerOptions { TimeProvider = time });

        var act = () => node.LeaveAsync(new CancellationToken(canceled: true));

        await act.Should().ThrowAsync<OperationCanceledException>();
        await node.Termination.WaitAsync(s_timeout);
    }

    [Fact]
    public async Task LeaveAsync_AlreadyStopped_ReturnsTheOutcomeWithoutAnnouncing()
    {
        var node = await ChitchatServer.SpawnChitchatAsync(ChitchatConfig.ForTest(7103), NewTransport());
        await node.ShutdownAsync();

        await node.LeaveAsync().WaitAsync(s_timeout);

        node.Chitchat.GetSelfNodeState().ContainsKey(ChitchatInstance.LeavingKey).Should().BeFalse();
    }
}
