using System.CommandLine;
using System.CommandLine.Help;
using Chitchat.Cli.Common;
using Chitchat.Cli.Decode;
using Chitchat.Cli.Demo;
using Chitchat.Cli.Node;

namespace Chitchat.Cli;

/// <summary>The <c>chitchat</c> command: <c>demo</c>, <c>node</c>, <c>decode</c>, <c>bench</c>, <c>attack</c> and <c>simulate</c>.</summary>
internal static class Program
{
    public static async Task<int> Main(string[] args)
    {
        // A plain command named "chitchat" rather than RootCommand, whose name would be the assembly's (Chitchat.Cli).
        var root = new Command(
            "chitchat",
            "Gossip cluster membership, phi-accrual failure detection and replicated key-values (a .NET port of the Rust crate chitchat 0.10).")
        {
            new HelpOption(),
            new VersionOption(),
            DemoCommand.Create(),
            NodeCommand.Create(),
            DecodeCommand.Create(),
            Bench.BenchCommand.Create(),
            Attack.AttackCommand.Create(),
            Simulate.SimulateCommand.Create(),
        };

        var parseResult = root.Parse(args);

        // The commands handle Ctrl+C and SIGTERM themselves (graceful stop, exit code 0): System.CommandLine's
        // own handling, which exits with 130/143, is turned off.
        var invocation = new InvocationConfiguration { ProcessTerminationTimeout = null };
        if (parseResult.Errors.Count > 0)
        {
            // Errors and usage go to standard error; a bad command line exits with 2, like most Unix tools.
            invocation.Output = Console.Error;
            await parseResult.InvokeAsync(invocation).ConfigureAwait(false);
            return ExitCodes.Usage;
        }

        return await parseResult.InvokeAsync(invocation).ConfigureAwait(false);
    }
}
