using System.Net;
using Chitchat.Transport;

namespace Chitchat.IntegrationTests;

/// <summary>
/// The README's "Embedding the library" example, compiled and run here so that it cannot rot. The README block and
/// the code between the <c>README example</c> markers below must stay identical (checked by a test).
/// </summary>
public sealed class ReadmeExampleTests
{
    private const string ReadmeMarker = "<!-- mirrored by tests/Chitchat.IntegrationTests/ReadmeExampleTests.cs -->";

    [Fact]
    public async Task ReadmeExample_TwoUdpNodes_SeeEachOtherAndShareAKey()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        for (var attempt = 1; ; attempt++)
        {
            var addressA = new IPEndPoint(IPAddress.Loopback, UdpCluster.FreeUdpPort());
            var addressB = new IPEndPoint(IPAddress.Loopback, UdpCluster.FreeUdpPort());
            try
            {
                var (liveNodes, announcement, roleOfB) = await ReadmeExample.RunAsync(addressA, addressB, timeout.Token);

                liveNodes.Should().Equal("node-a", "node-b");
                announcement.Should().Be("node-b set service.http=10.0.0.2:8080");
                roleOfB.Should().Be("worker");
                return;
            }
            catch (IOException) when (attempt < 3)
            {
                // A free port was taken between the probe and the bind: try other ports.
            }
        }
    }

    [Fact]
    public void ReadmeExample_IsTheCodeBlockOfTheReadme()
    {
        var copies = Path.Combine(AppContext.BaseDirectory, "readme");
        var thisFile = Path.Combine(copies, "ReadmeExampleTests.cs.txt");
        var readme = File.ReadAllText(Path.Combine(copies, "README.md")).ReplaceLineEndings("\n");
        var markerAt = readme.IndexOf(ReadmeMarker, StringComparison.Ordinal);
        markerAt.Should().BeGreaterThanOrEqualTo(0, $"README.md has the marker {ReadmeMarker}");
        var blockStart = readme.IndexOf("```csharp\n", markerAt, StringComparison.Ordinal) + "```csharp\n".Length;
        var blockEnd = readme.IndexOf("\n```", blockStart, StringComparison.Ordinal);
        var readmeLines = readme[blockStart..blockEnd].Split('\n').ToList();

        // The README block opens with the usings a program outside the Chitchat namespace needs.
        var usings = readmeLines.TakeWhile(line => line.StartsWith("using ", StringComparison.Ordinal)).ToList();
        var source = File.ReadAllText(thisFile).ReplaceLineEndings("\n");
        foreach (var line in usings.Where(line => line != "using Chitchat;"))
        {
            source.Should().Contain(line + "\n", "the test file compiles the example with the README's usings");
        }

        var readmeCode = string.Join('\n', readmeLines.Skip(usings.Count).SkipWhile(string.IsNullOrWhiteSpace));
        var begin = source.IndexOf("// README example: begin\n", StringComparison.Ordinal) + "// README example: begin\n".Length;
        var end = source.IndexOf("// README example: end", begin, StringComparison.Ordinal);
        var sourceCode = source[begin..end].TrimEnd('\n');

        readmeCode.Should().Be(sourceCode, "the README's example is the code compiled and run by this test");
    }
}

// README example: begin
public static class ReadmeExample
{
    public static async Task<(IReadOnlyList<string> LiveNodes, string Announcement, string? RoleOfB)> RunAsync(
        IPEndPoint addressA, IPEndPoint addressB, CancellationToken cancellationToken)
    {
        var transport = new UdpTransport();

        // The generation must grow at every restart of a node: the start time in seconds does.
        var generation = (ulong)DateTimeOffset.UtcNow.ToUnixTimeSeconds();

        // 1. Spawn two nodes of one cluster; node B finds node A through its seed list.
        await using var nodeA = await ChitchatServer.SpawnChitchatAsync(
            new ChitchatConfig(new ChitchatId("node-a", generation, addressA))
            {
                ClusterId = "my-cluster",
                GossipInterval = TimeSpan.FromMilliseconds(100),
            },
            [new("role", "seed")],
            transport,
            cancellationToken);
        await using var nodeB = await ChitchatServer.SpawnChitchatAsync(
            new ChitchatConfig(new ChitchatId("node-b", generation, addressB))
            {
                ClusterId = "my-cluster",
                GossipInterval = TimeSpan.FromMilliseconds(100),
                SeedNodes = [addressA.ToString()],
            },
            [new("role", "worker")],
            transport,
            cancellationToken);

        // 2. Subscribe, on node A, to the keys starting with "service." that any node sets.
        //    The callback runs under node A's lock: keep it short.
        var announced = new TaskCompletionSource<string>(TaskCreationOptions.RunContinuationsAsynchronously);
        using var subscription = nodeA.WithChitchat(chitchat => chitchat.SubscribeEvent(
            "service.",
            change => announced.TrySetResult($"{change.Node.NodeId} set service.{change.Key}={change.Value}")));

        // 3. Watch the live nodes, as node A sees them, until node B is one of them.
        var liveNodes = await nodeA.Chitchat.LiveNodesWatch.WaitForAsync(live => live.Count == 2, cancellationToken);

        // 4. Set a key on node B's own state: gossip carries it to node A.
        nodeB.WithChitchat(chitchat => chitchat.SelfNodeState.Set("service.http", "10.0.0.2:8080"));
        var announcement = await announced.Task.WaitAsync(cancellationToken);
        var roleOfB = nodeA.WithChitchat(chitchat => chitchat.NodeState(nodeB.ChitchatId)?.Get("role"));

        // 5. Shut down gracefully (disposing the handle, as `await using` does, shuts down too).
        await nodeB.ShutdownAsync(cancellationToken);
        await nodeA.ShutdownAsync(cancellationToken);
        return ([.. liveNodes.Keys.Select(id => id.NodeId)], announcement, roleOfB);
    }
}
// README example: end
