using Chitchat.Wire;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Time.Testing;
using static Chitchat.Tests.Core.HandshakeHelpers;
using static Chitchat.Tests.Server.ServerTestSupport;

namespace Chitchat.Tests.Api;

/// <summary>Every component logs through the configured factory; membership events are Information with stable ids.</summary>
public sealed class LoggingTests
{
    [Fact]
    public void Membership_JoinLiveDeadLeftForgotten_LoggedAtInformationWithStableIds()
    {
        using var loggerFactory = CollectingLoggerFactory(out var logs);
        var time = new FakeTimeProvider();
        var config = Config(10_001);
        config.FailureDetectorConfig.DeadNodeGracePeriod = TimeSpan.FromMinutes(10);
        var node = new ChitchatInstance(config, time, loggerFactory: loggerFactory);
        var peer = ChitchatId.ForLocalTest(10_002);
        for (ulong heartbeat = 1; heartbeat <= 3; heartbeat++)
        {
            node.ReportHeartbeat(peer, heartbeat);
            time.Advance(TimeSpan.FromMilliseconds(500));
        }

        node.UpdateNodesLiveness();
        time.Advance(TimeSpan.FromMinutes(1));
        node.UpdateNodesLiveness();
        time.Advance(TimeSpan.FromMinutes(5));
        node.UpdateNodesLiveness();
        time.Advance(TimeSpan.FromMinutes(5));
        node.UpdateNodesLiveness();

        var membership = logs.GetSnapshot().Where(r => r.Level == LogLevel.Information && r.Message.Contains("10002", StringComparison.Ordinal)).ToList();
        membership.Select(r => (r.Id.Id, r.Id.Name)).Should().Equal(
            (17, "MemberJoined"), (10, "MemberLive"), (11, "MemberDead"), (12, "MemberLeft"), (13, "MemberForgotten"));
    }

    [Fact]
    public void FailureDetector_LogsThroughTheConfiguredFactory()
    {
        using var loggerFactory = CollectingLoggerFactory(out var logs);
        var time = new FakeTimeProvider();
        var node = new ChitchatInstance(Config(10_001), time, loggerFactory: loggerFactory);
        var peer = ChitchatId.ForLocalTest(10_002);
        node.ReportHeartbeat(peer, 1);
        node.ReportHeartbeat(peer, 2);

        node.UpdateNodesLiveness();

        logs.GetSnapshot().Should().Contain(r => r.Category == typeof(Chitchat.FailureDetection.FailureDetector).FullName,
            "the failure detector used to be created without the configured logger");
    }

    [Fact]
    public void ProcessMessage_FloodOfForeignClusterSyns_LogsABoundedNumberOfWarnings()
    {
        using var loggerFactory = CollectingLoggerFactory(out var logs);
        var time = new FakeTimeProvider();
        var node = new ChitchatInstance(Config(10_001), time, loggerFactory: loggerFactory);
        var foreign = new ChitchatMessage.Syn("another-cluster", new Digest());

        for (var i = 0; i < 1_000; i++)
        {
            node.ProcessMessage(foreign).Should().BeOfType<ChitchatMessage.BadCluster>();
        }

        Warnings().Should().Be(Logging.LogRateLimiter.Burst);
        time.Advance(Logging.LogRateLimiter.Window);
        node.ProcessMessage(foreign);
        Warnings().Should().Be(Logging.LogRateLimiter.Burst + 1);
        logs.LatestRecord.Message.Should().Contain($"{1_000 - Logging.LogRateLimiter.Burst} similar problems not logged");

        int Warnings() => logs.GetSnapshot().Count(r => r.Id.Id == 1 && r.Level == LogLevel.Warning);
    }
}
