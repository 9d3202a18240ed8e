using System.Diagnostics;
using Xunit.Abstractions;

namespace Chitchat.IntegrationTests.Cli;

/// <summary>
/// Several <c>chitchat node</c> processes set up like chitchat-test's CLI tests: node_0 is the seed,
/// node_1… join through it. Disposing the cluster kills every process.
/// </summary>
internal sealed class NodeProcessCluster : IAsyncDisposable
{
    private readonly List<NodeProcess> _nodes = [];
    private readonly ITestOutputHelper _output;

    private NodeProcessCluster(ITestOutputHelper output)
    {
        _output = output;
    }

    public IReadOnlyList<NodeProcess> Nodes => _nodes;

    public NodeProcess this[int index] => _nodes[index];

    /// <summary>
    /// Starts <paramref name="count"/> nodes: node_0 with <c>--interval_ms {seedIntervalMs}</c>, the others with
    /// <c>--seed {seedHost}:{port of node_0} --interval_ms {intervalMs}</c>.
    /// </summary>
    public static async Task<NodeProcessCluster> StartAsync(
        int count, string seedHost, ITestOutputHelper output, int seedIntervalMs = 120, int intervalMs = 50)
    {
        var cluster = new NodeProcessCluster(output);
        try
        {
            var generation = (ulong)DateTimeOffset.UtcNow.ToUnixTimeSeconds();
            var seed = await NodeProcess.StartAsync("node_0", generation, ["--interval_ms", seedIntervalMs.ToString()]);
            cluster._nodes.Add(seed);
            var others = Enumerable.Range(1, count - 1).Select(i => NodeProcess.StartAsync(
                $"node_{i}",
                generation,
                ["--seed", $"{seedHost}:{seed.Port}", "--interval_ms", intervalMs.ToString()]));
            cluster._nodes.AddRange(await Task.WhenAll(others));
            output.WriteLine($"started {count} nodes: {string.Join(", ", cluster._nodes.Select(n => $"{n.NodeId}@{n.Address}"))}");
            return cluster;
        }
        catch
        {
            await cluster.DisposeAsync();
            throw;
        }
    }

    /// <summary>Replaces node <paramref name="index"/> (already killed) by a new process on the same port.</summary>
    public async Task<NodeProcess> RestartAsync(int index, ulong generation, IReadOnlyList<string> extraArgs)
    {
        var old = _nodes[index];
        await old.DisposeAsync();
        var restarted = await NodeProcess.StartAsync(old.NodeId, generation, extraArgs, old.Port);
        _nodes[index] = restarted;
        return restarted;
    }

    /// <summary>
    /// Polls GET / on <paramref name="node"/> until <paramref name="condition"/> holds and returns that view; fails
    /// after <paramref name="timeout"/> with the last view and the node's log.
    /// </summary>
    public async Task<NodeView> WaitForAsync(NodeProcess node, Func<NodeView, bool> condition, TimeSpan timeout, string what)
    {
        var stopwatch = Stopwatch.StartNew();
        NodeView? last = null;
        while (true)
        {
            last = await node.TryGetStateAsync() ?? last;
            if (last is not null && condition(last))
            {
                _output.WriteLine($"{node.NodeId}: {what} after {stopwatch.Elapsed.TotalSeconds:0.00} s");
                return last;
            }

            if (stopwatch.Elapsed > timeout)
            {
                throw new Xunit.Sdk.XunitException(
                    $"{node.NodeId}: timed out after {timeout.TotalSeconds} s waiting until {what}.\nlast view: {last}\n{last?.Json}\n{node.Process.Describe()}");
            }

            await Task.Delay(100);
        }
    }

    public async ValueTask DisposeAsync()
    {
        await Task.WhenAll(_nodes.Select(node => node.DisposeAsync().AsTask()));
        _nodes.Clear();
    }
}
