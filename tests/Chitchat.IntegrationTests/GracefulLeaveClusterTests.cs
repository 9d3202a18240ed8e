using System.Diagnostics;
using Chitchat.Changes;
using Chitchat.Testing;
using Chitchat.Transport;
using Xunit.Abstractions;

namespace Chitchat.IntegrationTests;

/// <summary>
/// <see cref="ChitchatHandle.LeaveAsync"/> in real time, over the in-memory transport and UDP on 127.0.0.1 at a
/// 300 ms gossip interval: the peers drop the leaving node and report it as left, not dead.
/// </summary>
public sealed class GracefulLeaveClusterTests(ITestOutputHelper output)
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(30);
    private static readonly TimeSpan GossipInterval = TimeSpan.FromMilliseconds(300);

    [Theory]
    [InlineData("in-memory")]
    [InlineData("udp")]
    public async Task LeaveAsync_ThreeNodes_PeersDropTheNodeAndReportItLeft(string transportName)
    {
        using var timeout = new CancellationTokenSource(Timeout);
        ITransport transport = transportName == "udp" ? new UdpTransport() : new InMemoryTransport();
        await using var cluster = new TestCluster(transport);
        var seed = await cluster.StartNodeAsync(NodeConfig("node-0", transportName, 0, seed: null), timeout.Token);
        var seedAddress = seed.ChitchatId.GossipAdvertiseEndPoint.ToString();
        var peer = await cluster.StartNodeAsync(NodeConfig("node-1", transportName, 1, seedAddress), timeout.Token);
        var leaver = await cluster.StartNodeAsync(NodeConfig("node-2", transportName, 2, seedAddress), timeout.Token);
        ChitchatHandle[] observers = [seed, peer];
        foreach (var node in cluster.Nodes)
        {
            await node.Chitchat.LiveMembers.WaitForAsync(live => live.Count == 3, timeout.Token);
        }

        var seen = observers.Select(observer => FirstMemberChangeAsync(observer, leaver.ChitchatId, timeout.Token)).ToList();
        var clock = Stopwatch.StartNew();
        var leaving = leaver.LeaveAsync(timeout.Token);

        // When LeaveAsync itself ended, apart from the time the peers took to drop the node.
        var stoppedAt = leaving.ContinueWith(_ => clock.Elapsed, CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
        foreach (var observer in observers)
        {
            await observer.Chitchat.LiveMembers.WaitForAsync(live => !live.Contains(leaver.ChitchatId), timeout.Token);
        }

        var dropped = clock.Elapsed;
        await leaving;
        var stopped = await stoppedAt;
        output.WriteLine($"{transportName}: peers dropped the leaving node after {dropped.TotalMilliseconds:F0} ms (gossip interval {GossipInterval.TotalMilliseconds} ms); it stopped after {stopped.TotalMilliseconds:F0} ms");

        // Phi would first report the node dead, and "left" only after half the 24-hour grace period.
        foreach (var change in seen)
        {
            (await change).Should().Be(ClusterChangeKind.MemberLeft);
        }

        leaver.Termination.IsCompletedSuccessfully.Should().BeTrue();
        await cluster.StopNodeAsync(leaver);
    }

    private static async Task<ClusterChangeKind> FirstMemberChangeAsync(ChitchatHandle observer, ChitchatId node, CancellationToken cancellationToken)
    {
        var changes = observer.Chitchat.WatchChangesAsync(cancellationToken: cancellationToken).GetAsyncEnumerator(cancellationToken);
        var next = changes.MoveNextAsync(); // subscribes now, before the departure
        return await Task.Run(async () =>
        {
            await using (changes)
            {
                while (await next)
                {
                    var change = changes.Current;
                    if (change.Node == node && change.Kind is ClusterChangeKind.MemberLeft or ClusterChangeKind.MemberDead)
                    {
                        return change.Kind;
                    }

                    next = changes.MoveNextAsync();
                }
            }

            throw new InvalidOperationException("The change stream ended before the node left.");
        }, cancellationToken);
    }

    private static ChitchatConfig NodeConfig(string nodeId, string transportName, int index, string? seed) => new()
    {
        NodeId = nodeId,
        GenerationId = 1,
        ClusterId = "graceful-leave",
        ListenAddress = transportName == "udp" ? "127.0.0.1:0" : $"10.0.0.{index + 1}:7280",
        GossipInterval = GossipInterval,
        SeedNodes = seed is null ? [] : [seed],
    };
}
