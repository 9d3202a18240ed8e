using System.Net;
using Chitchat.Transport;

namespace Chitchat.IntegrationTests.Cli;

/// <summary><c>chitchat node --encryption_key_file</c>: encrypted processes form a cluster that a plaintext process cannot join.</summary>
public sealed class NodeEncryptionProcessTests : IDisposable
{
    private static readonly TimeSpan s_exitTimeout = TimeSpan.FromSeconds(20);
    private readonly string _directory = Directory.CreateTempSubdirectory("chitchat-keys-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    [Fact]
    public async Task EncryptedProcesses_ShareKeys_PlaintextProcessStaysAlone()
    {
        var keyFile = WriteKeyFile("keys", $"# primary first\n{EncryptionKeyring.GenerateKey()}\n{EncryptionKeyring.GenerateKey()}\n");
        var generation = (ulong)DateTimeOffset.UtcNow.ToUnixTimeSeconds();
        await using var first = await NodeProcess.StartAsync("enc-a", generation, ["--interval_ms", "100", "--encryption_key_file", keyFile]);
        await using var second = await NodeProcess.StartAsync(
            "enc-b", generation, ["--interval_ms", "100", "--encryption_key_file", keyFile, "--encryption_mode", "require", "--seed", first.Address]);
        await using var plain = await NodeProcess.StartAsync("plain", generation, ["--interval_ms", "100", "--seed", first.Address]);

        (await second.GetAsync("/set_kv/?key=k&value=secret")).Status.Should().Be(HttpStatusCode.OK);
        await Eventually.HoldsAsync(
            async () => (await first.TryGetStateAsync())?.ValueOf("enc-b", "k") == "secret",
            TimeSpan.FromSeconds(20),
            "the encrypted nodes share their keys");

        var plainView = await plain.TryGetStateAsync();
        plainView!.NodeStates.Should().ContainSingle("the plaintext node learnt nothing from the encrypted ones");
        (await first.TryGetStateAsync())!.NodeStates.Should().HaveCount(2, "the encrypted nodes ignore the plaintext node");
        first.Process.StandardErrorText.Should().Contain("plaintext datagram, and encryption is required");
    }

    [Theory]
    [InlineData("not base64!", "Line 1 of the key file is not a base64 key.")]
    [InlineData("AAAA", "Key 1 of the keyring is 3 bytes; an AES-GCM key must be 16, 24 or 32 bytes")]
    [InlineData("# only a comment", "The key file holds no key")]
    public async Task BadKeyFile_ExitsWithCode2AndSaysWhy(string content, string expected)
    {
        var keyFile = WriteKeyFile("bad", content);

        var result = await CliTool.RunAsync(s_exitTimeout, null, "node", "--listen_addr", "127.0.0.1:1", "--encryption_key_file", keyFile);

        result.ExitCode.Should().Be(2, result.ToString());
        result.StandardError.Should().Contain("error: invalid --encryption_key_file").And.Contain(expected);
    }

    private string WriteKeyFile(string name, string content)
    {
        var path = Path.Combine(_directory, name);
        File.WriteAllText(path, content);
        return path;
    }
}
