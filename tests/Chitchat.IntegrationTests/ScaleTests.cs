using System.Net;
using Chitchat.FailureDetection;

namespace Chitchat.IntegrationTests;

/// <summary>Many nodes in one process: one asynchronous loop per node, no dedicated thread.</summary>
public sealed class ScaleTests
{
    [Fact]
    public async Task HundredNodes_InMemory_ConvergeWithoutAThreadPerNode()
    {
        const int NodeCount = 100;
        var transport = InMemoryCluster.NewTransport();
        var cluster = new Chitchat.Testing.TestCluster(transport);
        var nodes = new List<ChitchatHandle>();
        try
        {
            // The perf-test configuration of chitchat (tests/perf_test.rs): gossip every 300 ms, one seed.
            for (var i = 0; i < NodeCount; i++)
            {
                var config = new ChitchatConfig(new ChitchatId($"node_{i}", 0, new IPEndPoint(IPAddress.Loopback, 10_000 + i)))
                {
                    GossipInterval = TimeSpan.FromMilliseconds(300),
                    SeedNodes = ["127.0.0.1:10000"],
                    FailureDetectorConfig = new FailureDetectorConfig { InitialInterval = TimeSpan.FromMilliseconds(300) },
                    MarkedForDeletionGracePeriod = TimeSpan.FromSeconds(10_000),
                };
                nodes.Add(await cluster.StartNodeAsync(config));
            }

            using var cts = new CancellationTokenSource(InMemoryCluster.WatchTimeout);
            await nodes[1].Chitchat.LiveMembers.WaitForAsync(live => live.Count == NodeCount, cts.Token);

            ThreadPool.ThreadCount.Should().BeLessThan(NodeCount);
        }
        finally
        {
            await cluster.DisposeAsync();
        }

        nodes.Should().OnlyContain(node => node.Termination.IsCompletedSuccessfully);
    }
}
