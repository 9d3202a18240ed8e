using Chitchat.Wire;

namespace Chitchat.Tests.Wire;

/// <summary>
/// The committed afl seed corpus (tools/Chitchat.Fuzz/corpus) is what scripts/fuzz-corpus.py makes of the
/// golden vectors: every golden message of at most 4 KiB, byte for byte, and nothing else.
/// </summary>
public sealed class AflSeedCorpusTests
{
    [Fact]
    public void Corpus_MatchesTheGoldenVectors()
    {
        var corpus = FindCorpus();
        var expected = new Dictionary<string, byte[]>(StringComparer.Ordinal);
        foreach (var (version, file) in new[] { ("0.10.1", Vectors.V010), ("0.13.0", Vectors.V013) })
        {
            foreach (var message in file.Messages)
            {
                var bytes = Convert.FromHexString(message.GetProperty("hex").GetString()!);
                if (bytes.Length <= 4096)
                {
                    expected[$"{version}-{message.GetProperty("name").GetString()}.bin"] = bytes;
                }
            }
        }

        Directory.GetFiles(corpus).Select(Path.GetFileName).Should().BeEquivalentTo(expected.Keys, "run python3 scripts/fuzz-corpus.py");
        foreach (var (name, bytes) in expected)
        {
            File.ReadAllBytes(Path.Combine(corpus, name)).Should().Equal(bytes, name);
            ChitchatMessage.TryDeserialize(bytes, out _, out _).Should().BeTrue($"{name} is a valid seed");
        }
    }

    private static string FindCorpus()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            var candidate = Path.Combine(directory.FullName, "tools", "Chitchat.Fuzz", "corpus");
            if (Directory.Exists(candidate))
            {
                return candidate;
            }
        }

        throw new DirectoryNotFoundException("tools/Chitchat.Fuzz/corpus not found above " + AppContext.BaseDirectory);
    }
}
