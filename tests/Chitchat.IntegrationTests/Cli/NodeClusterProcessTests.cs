using System.Net;
using System.Text.Json;
using Xunit.Abstractions;

namespace Chitchat.IntegrationTests.Cli;

/// <summary>
/// chitchat-test's CLI tests against <c>chitchat node</c> processes: five nodes seeded by node_0,
/// checked through the HTTP API. Unlike the Rust tests (fixed ports, a fixed 5 s sleep), ports are free ones and
/// the HTTP API is polled until the cluster has converged, within a bound.
/// </summary>
public sealed class NodeClusterProcessTests(ITestOutputHelper output)
{
    private static readonly TimeSpan s_convergeTimeout = TimeSpan.FromSeconds(30);

    // TN1 test_multiple_nodes
    [Fact]
    public async Task MultipleNodes_IpSeed_ConvergeAndShareAKeySetOverHttp()
    {
        await using var cluster = await NodeProcessCluster.StartAsync(5, "127.0.0.1", output);
        var node1 = cluster[1];
        await cluster.WaitForAsync(node1, view => view.LiveNodes.Count == 5 && view.DeadNodes.Count == 0, s_convergeTimeout, "5 live nodes, 0 dead");

        // Without the trailing slash, as the Rust test calls it.
        var (status, body) = await node1.GetAsync("/set_kv?key=some_key&value=some_value");
        status.Should().Be(HttpStatusCode.OK);
        JsonDocument.Parse(body).RootElement.GetProperty("status").GetBoolean().Should().BeTrue();

        var info = await cluster.WaitForAsync(
            node1,
            view => view.LiveNodes.Count == 5 && view.DeadNodes.Count == 0 && view.ValueOf("node_1", "some_key") is not null,
            s_convergeTimeout,
            "some_key is set and 5 nodes are live");
        info.ClusterId.Should().Be("testing");
        info.LiveNodes.Should().HaveCount(5);
        info.LiveNodes[0].NodeId.Should().Be("node_1", "live_nodes starts with the node itself");
        info.DeadNodes.Should().BeEmpty();
        info.NodeStates.Should().HaveCountGreaterThan(3, "node_states[3] exists");
        info.NodeStates.Select(state => state.Id.NodeId).Should().Equal("node_0", "node_1", "node_2", "node_3", "node_4");
        info.NodeStates[1].KeyValues.Should().ContainKey("some_key")
            .WhoseValue.Should().Be(new ValueView("some_value", 1, "Set"));
    }

    // TN2 test_multiple_nodes_with_dns_resolution_for_seed
    [Fact]
    public async Task MultipleNodes_LocalhostSeed_ResolvedAndConverge()
    {
        await using var cluster = await NodeProcessCluster.StartAsync(5, "localhost", output);
        var info = await cluster.WaitForAsync(
            cluster[1], view => view.LiveNodes.Count == 5 && view.DeadNodes.Count == 0, s_convergeTimeout, "5 live nodes, 0 dead");

        info.NodeStates.Should().HaveCountGreaterThan(3, "node_states[3] exists");
        info.ClusterId.Should().Be("testing");
        info.LiveNodes.Should().HaveCount(5);
        info.DeadNodes.Should().BeEmpty();
        info.SeedAddrs.Should().Contain(cluster[0].Address, "localhost:PORT resolves to 127.0.0.1:PORT");
    }
}
