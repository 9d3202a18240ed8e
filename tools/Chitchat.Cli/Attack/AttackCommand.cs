using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using Chitchat.Cli.Common;

namespace Chitchat.Cli.Attack;

/// <summary>
/// <c>chitchat attack</c>: floods a <c>chitchat node</c> on loopback with one kind of hostile traffic, bounded
/// in count and time, and prints one JSON object: what was sent, what came back (amplification), the target's
/// memory, and whether it stayed live to a real peer.
/// </summary>
internal static class AttackCommand
{
    public static Command Create()
    {
        var target = CliOptions.SocketAddress("target", "The node to attack; loopback addresses only. [default: 127.0.0.1:10000]");
        var kind = CliOptions.Create<string>("kind", "garbage, fake-members, zstd-bomb, forged-self, empty-syn or unsolicited-synack.");
        kind.HelpName = "kind";
        kind.Required = true;
        kind.AcceptOnlyFromAmong(Enum.GetValues<AttackKind>().Select(AttackRunner.ToKebab).ToArray());
        var count = CliOptions.Create<long>("count", "The most datagrams to send.");
        count.HelpName = "n";
        count.DefaultValueFactory = _ => 1_000;
        var duration = CliOptions.Create<double>("duration_s", "The longest time to send for, in seconds.");
        duration.HelpName = "s";
        duration.DefaultValueFactory = _ => 10;
        var rate = CliOptions.Create<double>("rate", "Datagrams per second; 0 sends as fast as possible.");
        rate.HelpName = "per_s";
        rate.DefaultValueFactory = _ => 0;
        var targetPid = CliOptions.Create<int?>("target_pid", "The target's process id, for its RSS. [default: the process bound to the target's UDP port, if any]");
        targetPid.HelpName = "pid";
        var peer = CliOptions.SocketAddress("peer", "A chitchat node of the target's cluster whose HTTP API tells whether the target stays live. [default: a peer node started in this process]");
        var noPeer = CliOptions.Create<bool>("no_peer", "Do not watch the target's liveness.");
        var clusterId = CliOptions.Create<string?>("cluster_id", "The cluster id in the Syns sent. [default: the target's, from its HTTP API, else testing]");
        var settle = CliOptions.Create<double>("settle_s", "Seconds to wait after the last datagram before measuring RSS and liveness.");
        settle.HelpName = "s";
        settle.DefaultValueFactory = _ => 2;
        var seed = CliOptions.Create<int>("seed", "Seeds the random payloads.");
        seed.DefaultValueFactory = _ => 1;
        var bombKeys = CliOptions.Create<int>("bomb_keys", "zstd-bomb: how many keys of 60,000 bytes each Ack decodes to (60 is 3.6 MB, beyond the decoder's 2 MiB cap; 34 is just under it).");
        bombKeys.HelpName = "n";
        bombKeys.DefaultValueFactory = _ => AttackPayloads.DefaultBombKeyCount;

        var command = new Command("attack", "Flood a chitchat node on loopback with hostile datagrams and report what it cost the node, as JSON.")
        {
            target, kind, count, duration, rate, targetPid, peer, noPeer, clusterId, settle, seed, bombKeys,
        };
        command.SetAction(async (parseResult, _) =>
        {
            var options = new AttackOptions(
                parseResult.GetValue(target) ?? new System.Net.IPEndPoint(System.Net.IPAddress.Loopback, 10000),
                Enum.GetValues<AttackKind>().Single(k => AttackRunner.ToKebab(k) == parseResult.GetValue(kind)),
                parseResult.GetValue(count),
                TimeSpan.FromSeconds(parseResult.GetValue(duration)),
                parseResult.GetValue(rate),
                parseResult.GetValue(targetPid),
                parseResult.GetValue(peer),
                !parseResult.GetValue(noPeer),
                parseResult.GetValue(clusterId),
                TimeSpan.FromSeconds(parseResult.GetValue(settle)),
                parseResult.GetValue(seed),
                parseResult.GetValue(bombKeys));
            return await RunAsync(options).ConfigureAwait(false);
        });
        return command;
    }

    private static async Task<int> RunAsync(AttackOptions options)
    {
        if (!System.Net.IPAddress.IsLoopback(options.Target.Address) || (options.Peer is { } p && !System.Net.IPAddress.IsLoopback(p.Address)))
        {
            await Console.Error.WriteLineAsync("error: chitchat attack only sends to loopback addresses (127.0.0.0/8, ::1)").ConfigureAwait(false);
            return ExitCodes.Usage;
        }

        if (options.Count < 0 || options.Duration <= TimeSpan.Zero || options.Rate < 0 || options.Settle < TimeSpan.Zero || options.BombKeys is < 1 or > 1_000)
        {
            await Console.Error.WriteLineAsync("error: --count, --rate and --settle_s must not be negative, --duration_s must be positive, --bomb_keys between 1 and 1000").ConfigureAwait(false);
            return ExitCodes.Usage;
        }

        using var signal = new ShutdownSignal();
        var started = Stopwatch.StartNew();
        void Progress(string line) =>
            Console.Error.WriteLine($"[{started.Elapsed.TotalSeconds.ToString("0.0", CultureInfo.InvariantCulture),6} s] {line}");
        try
        {
            var report = await AttackRunner.RunAsync(options, Progress, signal.Token).ConfigureAwait(false);
            await Console.Out.WriteLineAsync(JsonSerializer.Serialize(report, AttackJsonContext.Default.AttackReport)).ConfigureAwait(false);
            return ExitCodes.Success;
        }
        catch (OperationCanceledException) when (signal.Token.IsCancellationRequested)
        {
            await Console.Error.WriteLineAsync($"Interrupted ({signal.SignalName}).").ConfigureAwait(false);
            return ExitCodes.Interrupted;
        }
        catch (InvalidOperationException ex)
        {
            await Console.Error.WriteLineAsync($"error: {ex.Message}").ConfigureAwait(false);
            return ExitCodes.Failure;
        }
    }
}
