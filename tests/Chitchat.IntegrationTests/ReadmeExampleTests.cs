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

        var (liveNodes, announcement, roleOfB) = await ReadmeExample.RunAsync(timeout.Token);

        liveNodes.Should().Equal("node-a", "node-b");
        announcement.Should().Be("node-b KeySet service.http=10.0.0.2:8080");
        roleOfB.Should().Be("worker");
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
        CancellationToken cancellationToken)
    {
        var transport = new UdpTransport();

        // The generation must grow at every restart of a node: the start time in seconds does.
        var generation = (ulong)DateTimeOffset.UtcNow.ToUnixTimeSeconds();

        // 1. Spawn two nodes of one cluster on free ports (port 0); node B finds node A through its seed list.
        await using var nodeA = await ChitchatServer.SpawnChitchatAsync(
            new ChitchatConfig
            {
                NodeId = "node-a",
                GenerationId = generation,
                ListenAddress = "127.0.0.1:0",
                ClusterId = "my-cluster",
                GossipInterval = TimeSpan.FromMilliseconds(100),
                InitialKeyValues = { ["role"] = "seed" },
            },
            transport,
            cancellationToken: cancellationToken);
        await using var nodeB = await ChitchatServer.SpawnChitchatAsync(
            new ChitchatConfig
            {
                NodeId = "node-b",
                GenerationId = generation,
                ListenAddress = "127.0.0.1:0",
                ClusterId = "my-cluster",
                GossipInterval = TimeSpan.FromMilliseconds(100),
                SeedNodes = [nodeA.ChitchatId.GossipAdvertiseEndPoint.ToString()],
                InitialKeyValues = { ["role"] = "worker" },
            },
            transport,
            cancellationToken: cancellationToken);

        // 2. Subscribe, on node A, to the changes of the keys starting with "service." on any node.
        //    The callback runs outside the node's lock, one change at a time, in order.
        var announced = new TaskCompletionSource<string>(TaskCreationOptions.RunContinuationsAsynchronously);
        using var subscription = nodeA.Chitchat.SubscribeKeyChanges(
            "service.",
            change => announced.TrySetResult($"{change.Node.NodeId} {change.Kind} {change.Key}={change.Value}"));

        // 3. Watch the live members, as node A sees them, until node B is one of them.
        var liveMembers = await nodeA.Chitchat.LiveMembers.WaitForAsync(live => live.Count == 2, cancellationToken);

        // 4. Set a key on node B's own state: gossip carries it to node A.
        nodeB.Chitchat.Set("service.http", "10.0.0.2:8080");
        var announcement = await announced.Task.WaitAsync(cancellationToken);

        // 5. Read node A's immutable snapshot of node B's state.
        var roleOfB = nodeA.Chitchat.TryGetNodeState(nodeB.ChitchatId, out var stateOfB)
            && stateOfB.TryGetValue("role", out var role) ? role : null;

        // 6. Shut down gracefully (disposing the handle, as `await using` does, shuts down too).
        await nodeB.ShutdownAsync(cancellationToken);
        await nodeA.ShutdownAsync(cancellationToken);
        return ([.. liveMembers.Select(id => id.NodeId)], announcement, roleOfB);
    }
}
// README example: end
