namespace Chitchat.Tests.Api;

/// <summary>The repository's code and docs stand alone: they cite no file the repository does not contain.</summary>
public sealed class RepositoryDocsTests
{
    // Built from parts, so that this file does not match itself.
    private static readonly string[] s_foreignFiles = ["BEHAVIOUR" + ".md", "TEST-" + "CATALOG", "PROTOCOL-" + "V1.md"];

    // The test runs from tests/Chitchat.Tests/bin/...: walk up to the solution (source paths may be mapped in CI).
    private static string RepositoryRoot()
    {
        var directory = new DirectoryInfo(AppContext.BaseDirectory);
        while (directory is not null && !File.Exists(Path.Combine(directory.FullName, "Chitchat.sln")))
        {
            directory = directory.Parent;
        }

        return directory?.FullName ?? throw new InvalidOperationException("Chitchat.sln not found above " + AppContext.BaseDirectory);
    }

    [Fact]
    public void SourcesAndDocs_CiteNoFileOutsideTheRepository()
    {
        var root = RepositoryRoot();
        var files = new[] { "src", "tools", "tests", "benchmarks", "docs" }
            .Select(folder => Path.Combine(root, folder))
            .Where(Directory.Exists)
            .SelectMany(folder => Directory.EnumerateFiles(folder, "*.*", SearchOption.AllDirectories))
            .Where(path => path.EndsWith(".cs", StringComparison.Ordinal) || path.EndsWith(".md", StringComparison.Ordinal))
            .Where(path => !path.Contains($"{Path.DirectorySeparatorChar}obj{Path.DirectorySeparatorChar}", StringComparison.Ordinal)
                && !path.Contains($"{Path.DirectorySeparatorChar}bin{Path.DirectorySeparatorChar}", StringComparison.Ordinal))
            .Append(Path.Combine(root, "README.md"))
            .ToList();
        files.Should().Contain(path => path.EndsWith("ChitchatRef.cs", StringComparison.Ordinal), "the scan must see the sources");

        var citations = files
            .SelectMany(path => File.ReadLines(path).Select((line, index) => (path, line, index)))
            .Where(x => s_foreignFiles.Any(name => x.line.Contains(name, StringComparison.Ordinal))
                || (x.line.Contains("PROTOCOL" + ".md", StringComparison.Ordinal) && !x.line.Contains("docs/PROTOCOL" + ".md", StringComparison.Ordinal)))
            .Select(x => $"{Path.GetRelativePath(root, x.path)}:{x.index + 1}: {x.line.Trim()}")
            .ToList();

        citations.Should().BeEmpty();
        File.Exists(Path.Combine(root, "docs", "PROTOCOL" + ".md")).Should().BeTrue();
        File.Exists(Path.Combine(root, "docs", "DESIGN.md")).Should().BeTrue();
        File.Exists(Path.Combine(root, "docs", "RUST-TO-DOTNET.md")).Should().BeTrue();
        File.Exists(Path.Combine(root, "docs", "LOGGING.md")).Should().BeTrue();
    }
}
