using System.Net;
using Chitchat.FailureDetection;
using Chitchat.Testing;

namespace Chitchat.Tests.Api;

/// <summary>The Chitchat.Testing package: partitions and the in-process cluster harness.</summary>
public sealed class TestingPackageTests
{
    private static readonly TimeSpan s_timeout = TimeSpan.FromSeconds(30);

    private static ChitchatConfig Config(int port, params int[] seeds) =>
        new(TestIds.Local(port))
        {
            GossipInterval = TimeSpan.FromMilliseconds(50),
            SeedNodes = [.. seeds.Select(seed => $"127.0.0.1:{seed}")],
            FailureDetectorConfig = new FailureDetectorConfig { InitialInterval = TimeSpan.FromMilliseconds(50), PhiThreshold = 5 },
        };

    [Fact]
    public async Task Partition_SplitThenHeal_MembersDieThenComeBack()
    {
        var partitions = new NetworkPartitions();
        await using var cluster = new TestCluster(new InMemoryTransport().Partition(partitions));
        var a = await cluster.StartNodeAsync(Config(7201));
        var b = await cluster.StartNodeAsync(Config(7202, 7201));
        await TestCluster.WaitForLiveMembersAsync(a, [a.ChitchatId, b.ChitchatId], s_timeout);

        partitions.Split([a.ChitchatId.GossipAdvertiseEndPoint], [b.ChitchatId.GossipAdvertiseEndPoint]);
        await TestCluster.WaitForLiveMembersAsync(a, [a.ChitchatId], s_timeout);

        partitions.Heal();
        await TestCluster.WaitForLiveMembersAsync(a, [a.ChitchatId, b.ChitchatId], s_timeout);
        await TestCluster.WaitForLiveMembersAsync(b, [a.ChitchatId, b.ChitchatId], s_timeout);
    }

    [Fact]
    public void NetworkPartitions_Block_IsOneDirectional()
    {
        var partitions = new NetworkPartitions();
        var a = IPEndPoint.Parse("127.0.0.1:1");
        var b = IPEndPoint.Parse("127.0.0.1:2");

        partitions.Block(a, b);

        partitions.IsBlocked(a, b).Should().BeTrue();
        partitions.IsBlocked(b, a).Should().BeFalse();
        partitions.Heal();
        partitions.IsBlocked(a, b).Should().BeFalse();
    }

    [Fact]
    public async Task TestCluster_Dispose_StopsEveryNode()
    {
        var cluster = new TestCluster();
        var a = await cluster.StartNodeAsync(Config(7301));
        var b = await cluster.StartNodeAsync(Config(7302, 7301));
        cluster.Nodes.Should().Equal(a, b);

        await cluster.DisposeAsync();

        a.Termination.IsCompletedSuccessfully.Should().BeTrue();
        b.Termination.IsCompletedSuccessfully.Should().BeTrue();
        cluster.Nodes.Should().BeEmpty();
    }

    [Fact]
    public async Task WaitForLiveMembersAsync_NeverMatches_ThrowsTimeoutWithTheLastView()
    {
        await using var cluster = new TestCluster();
        var a = await cluster.StartNodeAsync(Config(7401));

        var act = () => TestCluster.WaitForLiveMembersAsync(a, [a.ChitchatId, TestIds.Local(7402)], TimeSpan.FromMilliseconds(200));

        (await act.Should().ThrowAsync<TimeoutException>()).WithMessage("*node-7401*last: [node-7401*");
    }
}
