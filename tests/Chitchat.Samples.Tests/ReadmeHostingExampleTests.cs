using Chitchat.Sample.Web;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Chitchat.Samples.Tests;

/// <summary>
/// The README's "Use it in a .NET service" blocks: the C# block is the sample's <see cref="SampleApp.Build"/>
/// (compiled and run by <see cref="SampleWebTests"/>), and the JSON block binds to options that pass validation.
/// </summary>
public sealed class ReadmeHostingExampleTests
{
    private const string CodeMarker = "<!-- mirrored by samples/Chitchat.Sample.Web/SampleApp.cs (checked by tests/Chitchat.Samples.Tests) -->";
    private const string ConfigurationMarker = "<!-- configuration checked by tests/Chitchat.Samples.Tests -->";

    [Fact]
    public void ReadmeHostingExample_IsTheSampleCode()
    {
        var sample = ReadCopy("SampleApp.cs.txt");
        var begin = sample.IndexOf("// README hosting example: begin\n", StringComparison.Ordinal);
        var end = sample.IndexOf("// README hosting example: end", StringComparison.Ordinal);
        begin.Should().BeGreaterThanOrEqualTo(0);
        end.Should().BeGreaterThan(begin);
        var sampleLines = sample[(begin + "// README hosting example: begin\n".Length)..end]
            .TrimEnd(' ', '\n')
            .Split('\n')
            .Select(line => line.StartsWith("    ", StringComparison.Ordinal) ? line[4..] : line);

        var readmeCode = BlockAfter(CodeMarker, "csharp");

        readmeCode.Should().Be(string.Join('\n', sampleLines), "the README shows the code of samples/Chitchat.Sample.Web");
    }

    [Fact]
    public void ReadmeHostingConfiguration_BindsToValidOptions()
    {
        var json = BlockAfter(ConfigurationMarker, "json");
        using var stream = new MemoryStream(System.Text.Encoding.UTF8.GetBytes(json));
        var configuration = new ConfigurationBuilder().AddJsonStream(stream).Build();
        var services = new ServiceCollection();
        services.AddChitchat(configuration.GetSection("Chitchat"));
        using var provider = services.BuildServiceProvider();

        var options = provider.GetRequiredService<IOptions<ChitchatConfig>>().Value;

        options.NodeId.Should().Be("web-1");
        options.GossipAdvertiseAddress.Should().Be("10.0.0.1:7280");
        options.GossipInterval.Should().Be(TimeSpan.FromMilliseconds(500));
        options.SeedNodes.Should().Equal("10.0.0.2:7280", "chitchat-seed.internal:7280");
        options.GenerationId.Should().NotBe(0, "a generation left out is the start time");
        options.Invoking(o => o.Validate()).Should().NotThrow();
    }

    private static string ReadCopy(string name) =>
        File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "readme", name)).ReplaceLineEndings("\n");

    private static string BlockAfter(string marker, string language)
    {
        var readme = ReadCopy("README.md");
        var markerAt = readme.IndexOf(marker, StringComparison.Ordinal);
        markerAt.Should().BeGreaterThanOrEqualTo(0, $"README.md has the marker {marker}");
        var fence = $"```{language}\n";
        var start = readme.IndexOf(fence, markerAt, StringComparison.Ordinal) + fence.Length;
        var stop = readme.IndexOf("\n```", start, StringComparison.Ordinal);
        return readme[start..stop];
    }
}
