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
    public async Task InMemoryTransport_Port0_EachSocketGetsItsOwnPort()
    {
        var transport = new InMemoryTransport();
        var any = new IPEndPoint(IPAddress.Loopback, 0);
        await using var first = await transport.OpenAsync(any);
        await using var second = await transport.OpenAsync(any);
        await using var fixedPort = await transport.OpenAsync(new IPEndPoint(IPAddress.Loopback, 49_154));
        await using var third = await transport.OpenAsync(any);

        first.LocalEndPoint.Port.Should().Be(49_152);
        second.LocalEndPoint.Port.Should().Be(49_153);
        third.LocalEndPoint.Port.Should().Be(49_155, "a port opened explicitly is skipped");
        first.LocalEndPoint.Address.Should().Be(IPAddress.Loopback);
    }

    [Fact]
    public async Task AddNodeAsync_Defaults_NodesOnPort0SeededByTheFirstConverge()
    {
        await using var cluster = new TestCluster { ClusterId = "harness", GossipInterval = TimeSpan.FromMilliseconds(50) };
        var first = await cluster.AddNodeAsync("node-0");
        var second = await cluster.AddNodeAsync("node-1", config => config.InitialKeyValues["role"] = "worker");
        var third = await cluster.AddNodeAsync("node-2");

        second.ChitchatId.GossipAdvertiseEndPoint.Should().NotBe(first.ChitchatId.GossipAdvertiseEndPoint);
        cluster.CreateNodeConfig("node-3").SeedNodes.Should().Equal(first.ChitchatId.GossipAdvertiseEndPoint.ToString());
        await cluster.WaitForConvergenceAsync(s_timeout);

        third.Chitchat.GetClusterState().ClusterId.Should().Be("harness");
        third.Chitchat.TryGetNodeState(second.ChitchatId, out var state).Should().BeTrue();
        state!.TryGetValue("role", out var role).Should().BeTrue();
        role.Should().Be("worker");
    }

    [Fact]
    public async Task CrashThenRestart_NewGenerationOnTheSameAddress_RejoinsTheCluster()
    {
        await using var cluster = new TestCluster { GossipInterval = TimeSpan.FromMilliseconds(50) };
        var seed = await cluster.AddNodeAsync("seed");
        var member = await cluster.AddNodeAsync("member", config => config.InitialKeyValues["k"] = "v");
        await cluster.WaitForConvergenceAsync(s_timeout);

        cluster.Crash(member);
        cluster.Nodes.Should().Equal(seed);
        var act = () => cluster.RestartAsync(seed);
        await act.Should().ThrowAsync<InvalidOperationException>("a running node cannot be restarted");
        var restarted = await cluster.RestartAsync(member);

        restarted.ChitchatId.NodeId.Should().Be("member");
        restarted.ChitchatId.GenerationId.Should().Be(member.ChitchatId.GenerationId + 1);
        restarted.ChitchatId.GossipAdvertiseEndPoint.Should().Be(member.ChitchatId.GossipAdvertiseEndPoint);
        await TestCluster.WaitForLiveMembersAsync(seed, [seed.ChitchatId, restarted.ChitchatId], s_timeout);
        seed.Chitchat.TryGetNodeState(restarted.ChitchatId, out var state).Should().BeTrue();
        state!.TryGetValue("k", out var value).Should().BeTrue();
        value.Should().Be("v", "the restarted node keeps its initial key-values");
    }

    [Fact]
    public async Task WaitForConvergenceAsync_PartitionedNode_TimesOutNamingTheView()
    {
        var partitions = new NetworkPartitions();
        await using var cluster = new TestCluster(new InMemoryTransport().Partition(partitions)) { GossipInterval = TimeSpan.FromMilliseconds(50) };
        var a = await cluster.AddNodeAsync("a");
        var b = await cluster.AddNodeAsync("b");
        partitions.Split([a.ChitchatId.GossipAdvertiseEndPoint], [b.ChitchatId.GossipAdvertiseEndPoint]);

        var act = () => cluster.WaitForConvergenceAsync(TimeSpan.FromMilliseconds(300));

        (await act.Should().ThrowAsync<TimeoutException>()).Which.Message.Should().Contain("did not converge");
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
