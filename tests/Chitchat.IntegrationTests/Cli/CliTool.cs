using System.Diagnostics;
using System.Reflection;

namespace Chitchat.IntegrationTests.Cli;

/// <summary>Finds and runs the built <c>chitchat</c> command (tools/Chitchat.Cli) as a separate process.</summary>
internal static class CliTool
{
    private static readonly Lazy<string> s_assemblyPath = new(FindAssembly);

    /// <summary>Gets the path of Chitchat.Cli.dll, run with <c>dotnet Chitchat.Cli.dll …</c>.</summary>
    public static string AssemblyPath => s_assemblyPath.Value;

    /// <summary>Starts <c>chitchat {args}</c> with its standard streams captured.</summary>
    public static CliProcess Start(params string[] args) => new(CreateStartInfo([], args, redirectInput: false));

    /// <summary>
    /// Starts <c>{launcher…} dotnet Chitchat.Cli.dll {args}</c>: the launcher is a command that runs the rest, such as
    /// <c>ip netns exec NAME</c> (which replaces itself with the command, so the process is the node itself).
    /// </summary>
    public static CliProcess StartWith(IReadOnlyList<string> launcher, IReadOnlyList<string> args) =>
        new(CreateStartInfo(launcher, args, redirectInput: false));

    /// <summary>Runs <c>chitchat {args}</c> to completion (killed after <paramref name="timeout"/>).</summary>
    public static async Task<CliResult> RunAsync(TimeSpan timeout, byte[]? stdin, params string[] args)
    {
        await using var process = new CliProcess(CreateStartInfo([], args, redirectInput: true));
        if (stdin is not null)
        {
            await process.StandardInput.BaseStream.WriteAsync(stdin);
        }

        process.StandardInput.Close();
        var exitCode = await process.WaitForExitAsync(timeout);
        return new CliResult(exitCode, process.StandardOutputText, process.StandardErrorText);
    }

    private static ProcessStartInfo CreateStartInfo(IReadOnlyList<string> launcher, IReadOnlyList<string> args, bool redirectInput)
    {
        // The dotnet CLI tells the processes it starts (the test host included) where the muxer is.
        var dotnet = Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") is { Length: > 0 } host && File.Exists(host) ? host : "dotnet";
        var startInfo = new ProcessStartInfo(launcher.Count > 0 ? launcher[0] : dotnet)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = redirectInput,
            UseShellExecute = false,
        };
        foreach (var word in launcher.Skip(1))
        {
            startInfo.ArgumentList.Add(word);
        }

        if (launcher.Count > 0)
        {
            startInfo.ArgumentList.Add(dotnet);
        }

        startInfo.ArgumentList.Add(AssemblyPath);
        foreach (var arg in args)
        {
            startInfo.ArgumentList.Add(arg);
        }

        // Plain output (no ANSI colours) whatever the environment of the test run.
        startInfo.Environment["NO_COLOR"] = "1";
        startInfo.Environment["DOTNET_NOLOGO"] = "1";
        return startInfo;
    }

    private static string FindAssembly()
    {
        var candidates = new List<string?>
        {
            Environment.GetEnvironmentVariable("CHITCHAT_CLI_PATH"),
            typeof(CliTool).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>()
                .FirstOrDefault(attribute => attribute.Key == "ChitchatCliPath")?.Value,
        };
        foreach (var candidate in candidates)
        {
            if (!string.IsNullOrEmpty(candidate) && File.Exists(candidate))
            {
                return candidate;
            }
        }

        throw new FileNotFoundException(
            "Chitchat.Cli.dll not found: build tools/Chitchat.Cli (the test project references it), or set CHITCHAT_CLI_PATH. " +
            $"Looked at: {string.Join(", ", candidates.Where(c => !string.IsNullOrEmpty(c)))}");
    }
}

/// <summary>The outcome of a finished <c>chitchat</c> process.</summary>
internal sealed record CliResult(int ExitCode, string StandardOutput, string StandardError)
{
    public override string ToString() => $"exit code {ExitCode}\n--- stdout ---\n{StandardOutput}\n--- stderr ---\n{StandardError}";
}
