using System.Diagnostics;
using Xunit.Abstractions;

namespace Chitchat.IntegrationTests.Cli;

/// <summary>
/// <c>chitchat demo</c> on a real terminal: run in a detached tmux session of 80x24 and read back with
/// <c>tmux capture-pane</c>, as a person would see it. tmux is required (.ci/run installs it).
/// </summary>
public sealed class DemoTerminalTests(ITestOutputHelper output)
{
    [Fact]
    public async Task Demo_80x24Terminal_TableFitsAndTheWholeEventLogStaysInTheScrollback()
    {
        await using var tmux = await TmuxSession.StartAsync(80, 24, CliTool.AssemblyPath, "demo", "--nodes", "3");
        var screen = await tmux.WaitForScreenAsync(text => text.Contains("Summary:", StringComparison.Ordinal), TimeSpan.FromSeconds(90));
        var history = await tmux.CaptureAsync(wholeHistory: true);
        output.WriteLine(history);

        // Every event of the run, from the first to the last, is still there.
        history.Should()
            .Contain("node-0 started on udp://127.0.0.1:")
            .And.Contain("node-2 started on udp://127.0.0.1:")
            .And.Contain("done: the cluster converged")
            .And.Contain("done: the key reached all 3 nodes")
            .And.Contain("node-2 crashed")
            .And.Contain("declared node-2 dead")
            .And.Contain("node-2 restarted on")
            .And.Contain("done: every node forgot the old incarnation of node-2")
            .And.Contain("Summary: all 5 steps completed in");

        // The table uses the narrow layout, one line per row, nothing wrapped.
        var lines = screen.Split('\n');
        lines.Should().ContainSingle(line => line.StartsWith("  node    gen", StringComparison.Ordinal) && line.Contains(" port ", StringComparison.Ordinal) && line.TrimEnd().EndsWith("live", StringComparison.Ordinal));
        var rows = lines.Where(line => line.StartsWith("  node-", StringComparison.Ordinal)).ToList();
        rows.Should().HaveCount(4, "3 nodes and the restarted incarnation of node-2");
        rows.Should().OnlyContain(row => row.Contains(":", StringComparison.Ordinal) && row.TrimEnd().Length <= 80);
        rows.Should().ContainSingle(row => row.Contains("forgotten", StringComparison.Ordinal) && row.Contains(" down ", StringComparison.Ordinal));
        rows.Count(row => row.Contains(" live ", StringComparison.Ordinal) || row.Contains(" self ", StringComparison.Ordinal)).Should().Be(3);
    }

    /// <summary>A detached tmux session on its own server socket, killed (with its server) when disposed.</summary>
    private sealed class TmuxSession : IAsyncDisposable
    {
        private readonly string _socket = "chitchat-test-" + Guid.NewGuid().ToString("N");

        private TmuxSession()
        {
        }

        public static async Task<TmuxSession> StartAsync(int width, int height, string assembly, params string[] args)
        {
            var session = new TmuxSession();
            var dotnet = Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") is { Length: > 0 } host && File.Exists(host) ? host : "dotnet";
            var command = string.Join(' ', new[] { dotnet, assembly }.Concat(args).Select(Quote)) + "; sleep 120";
            var (exitCode, _, error) = await session.RunAsync(
                "new-session", "-d", "-s", "demo", "-x", width.ToString(), "-y", height.ToString(), "-e", "DOTNET_NOLOGO=1", command);
            exitCode.Should().Be(0, $"tmux must start (install it: apt-get install tmux): {error}");
            return session;
        }

        public async Task<string> CaptureAsync(bool wholeHistory = false)
        {
            string[] args = wholeHistory ? ["capture-pane", "-p", "-t", "demo", "-S", "-", "-E", "-"] : ["capture-pane", "-p", "-t", "demo"];
            var (_, text, _) = await RunAsync(args);
            return text;
        }

        public async Task<string> WaitForScreenAsync(Func<string, bool> condition, TimeSpan timeout)
        {
            var stopwatch = Stopwatch.StartNew();
            while (true)
            {
                var screen = await CaptureAsync();
                if (condition(screen))
                {
                    return screen;
                }

                if (stopwatch.Elapsed > timeout)
                {
                    throw new Xunit.Sdk.XunitException($"timed out after {timeout.TotalSeconds} s; the terminal shows:\n{screen}");
                }

                await Task.Delay(250);
            }
        }

        public async ValueTask DisposeAsync() => await RunAsync("kill-server");

        private static string Quote(string text) => "'" + text.Replace("'", "'\\''", StringComparison.Ordinal) + "'";

        private async Task<(int ExitCode, string Output, string Error)> RunAsync(params string[] args)
        {
            var startInfo = new ProcessStartInfo("tmux") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
            startInfo.ArgumentList.Add("-L");
            startInfo.ArgumentList.Add(_socket);
            foreach (var arg in args)
            {
                startInfo.ArgumentList.Add(arg);
            }

            using var process = Process.Start(startInfo)!;
            var stdout = process.StandardOutput.ReadToEndAsync();
            var stderr = process.StandardError.ReadToEndAsync();
            await process.WaitForExitAsync();
            return (process.ExitCode, await stdout, await stderr);
        }
    }
}
