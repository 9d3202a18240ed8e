using Chitchat.Wire;

namespace Chitchat.Tests.Wire;

/// <summary>
/// The committed afl seed corpus (tools/Chitchat.Fuzz/corpus) is what scripts/fuzz-corpus.py makes of the
/// golden vectors: every golden message of at most 4 KiB, byte for byte, and nothing else; the envelope target's
/// corpus (tools/Chitchat.Fuzz/corpus-envelope) is those messages sealed with that target's keys.
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

    [Fact]
    public void EnvelopeCorpus_SealsEveryGoldenSeedWithTheFuzzTargetsKeys()
    {
        // The keys and cluster id of tools/Chitchat.Fuzz/EnvelopeTarget.cs (and scripts/fuzz-corpus.py).
        byte[] primary = [.. Enumerable.Range(0, 32).Select(i => (byte)i)];
        byte[] decryptOnly = [.. Enumerable.Range(32, 16).Select(i => (byte)i)];
        var aad = new byte[8 + "fuzz-cluster".Length];
        System.Text.Encoding.UTF8.GetBytes("fuzz-cluster").CopyTo(aad, 8);
        using var primaryCipher = new System.Security.Cryptography.AesGcm(primary, 16);
        using var decryptOnlyCipher = new System.Security.Cryptography.AesGcm(decryptOnly, 16);
        var seeds = FindCorpus();
        var envelopes = FindCorpus("corpus-envelope");

        var opened = new Dictionary<string, bool>(StringComparer.Ordinal);
        foreach (var file in Directory.GetFiles(envelopes))
        {
            var name = Path.GetFileName(file);
            var datagram = File.ReadAllBytes(file);
            var prefix = name[..name.IndexOf("0.1", StringComparison.Ordinal)];
            var seed = File.ReadAllBytes(Path.Combine(seeds, name[prefix.Length..]));
            if (prefix == "plaintext-")
            {
                datagram.Should().Equal(seed, name);
                continue;
            }

            var cipher = prefix == "decrypt-only-key-" ? decryptOnlyCipher : primaryCipher;
            var plaintext = new byte[datagram.Length];
            var opens = Chitchat.Transport.DatagramEnvelope.TryOpen(cipher, datagram, plaintext, aad, out var length);
            opened[name] = opens;
            if (opens)
            {
                plaintext.AsSpan(0, length).ToArray().Should().Equal(seed, name);
            }
        }

        opened.Where(p => p.Value).Select(p => p.Key).Should().OnlyContain(n => n.StartsWith("sealed-", StringComparison.Ordinal) || n.StartsWith("decrypt-only-key-", StringComparison.Ordinal));
        opened.Keys.Where(n => n.StartsWith("sealed-", StringComparison.Ordinal)).Should().HaveCount(Directory.GetFiles(seeds).Length);
        opened.Where(p => !p.Value).Select(p => p.Key).Should().NotBeEmpty()
            .And.OnlyContain(n => n.StartsWith("unknown-key-", StringComparison.Ordinal) || n.StartsWith("other-cluster-", StringComparison.Ordinal));
    }

    private static string FindCorpus(string name = "corpus")
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            var candidate = Path.Combine(directory.FullName, "tools", "Chitchat.Fuzz", name);
            if (Directory.Exists(candidate))
            {
                return candidate;
            }
        }

        throw new DirectoryNotFoundException($"tools/Chitchat.Fuzz/{name} not found above " + AppContext.BaseDirectory);
    }
}
