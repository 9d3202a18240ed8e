using System.Text.RegularExpressions;
using Chitchat.Testing.Simulation;

namespace Chitchat.Tests.Simulation;

/// <summary>The example of docs/SIMULATION.md runs, and the document shows it as it is here.</summary>
public sealed partial class DocumentationExampleTests
{
    // <simulation-example>
    [Fact]
    public void Cluster_SurvivesACrashAPartitionAndARestart()
    {
        var simulation = new ClusterSimulation(new ClusterSimulationOptions { Seed = 42, SeedCount = 2 });
        simulation.Network.DefaultLink = new LinkConditions
        {
            Loss = 0.05,
            Delay = TimeSpan.FromMilliseconds(2),
            Jitter = TimeSpan.FromMilliseconds(10),
        };
        var nodes = simulation.AddNodes(20);
        nodes[3].Chitchat.Set("role", "indexer");

        // Virtual time: a minute of gossip between 20 nodes runs in a fraction of a second.
        Assert.True(simulation.RunUntil(simulation.IsConverged, TimeSpan.FromSeconds(60)));

        nodes[7].Crash();
        Assert.True(simulation.RunUntil(() => simulation.IsSeenDeadByAll(nodes[7].Id), TimeSpan.FromSeconds(60)));

        // Split the cluster in two (each half keeps a seed), then heal it and bring node 7 back.
        simulation.Network.Partition(nodes.Where(n => n.Index % 2 == 0), nodes.Where(n => n.Index % 2 == 1));
        simulation.RunFor(TimeSpan.FromSeconds(30));
        simulation.Network.Heal();
        nodes[7].Restart();
        Assert.True(simulation.RunUntil(simulation.IsConverged, TimeSpan.FromSeconds(120)));

        simulation.AssertNoFalseDeaths();
        Assert.True(nodes[0].Chitchat.TryGetNodeState(nodes[3].Id, out var state));
        Assert.True(state.TryGetValue("role", out var role) && role == "indexer");
    }
    // </simulation-example>

    [Fact]
    public void Document_ShowsTheExampleAsItIs()
    {
        var root = AppContext.BaseDirectory;
        while (!File.Exists(Path.Combine(root, "Chitchat.sln")))
        {
            root = Path.GetDirectoryName(root) ?? throw new InvalidOperationException("Chitchat.sln not found above the test directory.");
        }

        var source = File.ReadAllText(Path.Combine(root, "tests/Chitchat.Tests/Simulation/DocumentationExampleTests.cs"));
        var start = source.IndexOf("// <simulation-example>", StringComparison.Ordinal);
        var end = source.IndexOf("// </simulation-example>", StringComparison.Ordinal);
        var example = Normalize(source[(source.IndexOf('\n', start) + 1)..end]);

        var document = File.ReadAllText(Path.Combine(root, "docs/SIMULATION.md"));
        var blocks = CodeBlock().Matches(document).Select(match => Normalize(match.Groups[1].Value));
        blocks.Should().Contain(example, "docs/SIMULATION.md shows the example test as it is");
    }

    /// <summary>Trims every line and drops the empty ones, so that indentation does not matter.</summary>
    private static string Normalize(string code) =>
        string.Join('\n', code.Split('\n').Select(static line => line.Trim()).Where(static line => line.Length > 0));

    [GeneratedRegex("```csharp\n(.*?)```", RegexOptions.Singleline)]
    private static partial Regex CodeBlock();
}
