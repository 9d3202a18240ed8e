using System.CommandLine;
using System.Net;
using Chitchat.Cli.Common;
using Chitchat.Transport;

namespace Chitchat.Cli.Node;

/// <summary>
/// <c>chitchat node</c>: one chitchat node with chitchat-test's command line and HTTP API,
/// gossiping over UDP and serving HTTP on the same address.
/// </summary>
internal static class NodeCommand
{
    public static Command Create()
    {
        var listenAddr = CliOptions.SocketAddress("listen_addr", "The UDP address gossip binds, and the TCP address of the HTTP API. [default: 127.0.0.1:10000]");
        var publicAddr = CliOptions.SocketAddress("public_addr", "The address other nodes use to reach this node. [default: the listen address]");
        var nodeId = CliOptions.Create<string?>("node_id", "The node id, unique in the cluster. [default: server:{public_addr}-{random readable id}]");
        var seeds = CliOptions.Create<string[]>("seed", "A seed node, as ip:port or host:port (repeat the flag for several seeds).");
        seeds.HelpName = "addr";
        seeds.DefaultValueFactory = _ => [];
        var interval = CliOptions.Milliseconds("interval_ms", "The gossip interval.", 500);
        var clusterId = CliOptions.Create<string>("cluster_id", "The cluster id; nodes of other clusters are ignored.");
        clusterId.DefaultValueFactory = _ => "testing";
        var generation = CliOptions.Create<ulong?>("generation", "The generation id; must grow at every restart of the node. [default: the current Unix time in seconds]");
        var protocolVersion = CliOptions.ProtocolVersion();
        var keyFile = CliOptions.Create<string?>(
            "encryption_key_file",
            "Encrypt gossip with AES-GCM (.NET nodes only; Rust nodes cannot join): a file of base64 keys of 16, 24 or 32 bytes, one per line, the first encrypts, all decrypt. [default: no encryption]");
        keyFile.HelpName = "path";
        var encryptionMode = CliOptions.Create<EncryptionMode>(
            "encryption_mode",
            "With --encryption_key_file: prepare (send plaintext, accept both), accept (send encrypted, accept both) or require (drop plaintext), the steps of a migration.");
        encryptionMode.HelpName = "prepare|accept|require";
        encryptionMode.DefaultValueFactory = _ => EncryptionMode.Require;

        var deadGrace = CliOptions.Milliseconds("dead_node_grace_ms", "How long a dead node is kept before it is forgotten.", 10_000);
        var seedRefresh = CliOptions.Milliseconds("seed_refresh_ms", "How often seeds given as host names are resolved again.", 60_000);
        var uiAllowWrites = CliOptions.Create<bool>(
            "ui_allow_writes",
            "Let the web dashboard (/ui/) set this node's own keys. Off by default: anyone who can reach the HTTP port could then publish keys in the node's name.");

        var minLivePeers = CliOptions.Create<int>(
            "min_live_peers",
            "GET /health answers Healthy while the node sees at least this many live peers (Degraded with fewer, Unhealthy with none). [default: 0]");
        minLivePeers.HelpName = "count";
        minLivePeers.Validators.Add(result =>
        {
            if (result.GetValueOrDefault<int>() < 0)
            {
                result.AddError("--min_live_peers must not be negative.");
            }
        });

        var command = new Command("node", "Run a chitchat node with the chitchat-test HTTP API (GET /, /set_kv/?key=K&value=V, /mark_for_deletion/?key=K), a live web dashboard at /ui/, GET /health and GET /metrics (Prometheus). Ctrl+C or SIGTERM: leave the cluster gracefully, exit 0.")
        {
            listenAddr, publicAddr, nodeId, seeds, interval, clusterId, generation, protocolVersion, deadGrace, seedRefresh, keyFile, encryptionMode, uiAllowWrites, minLivePeers,
        };

        command.SetAction(async (parseResult, _) =>
        {
            var listen = parseResult.GetValue(listenAddr) ?? new IPEndPoint(IPAddress.Loopback, 10000);
            var advertised = parseResult.GetValue(publicAddr) ?? listen;
            var settings = new NodeSettings(
                listen,
                advertised,
                parseResult.GetValue(nodeId) ?? NodeIdGenerator.DefaultNodeId(SocketAddressFormat.Format(advertised)),
                parseResult.GetValue(generation) ?? (ulong)DateTimeOffset.UtcNow.ToUnixTimeSeconds(),
                parseResult.GetValue(clusterId) ?? "testing",
                parseResult.GetValue(seeds) ?? [],
                TimeSpan.FromMilliseconds(parseResult.GetValue(interval)),
                parseResult.GetValue(protocolVersion),
                TimeSpan.FromMilliseconds(parseResult.GetValue(deadGrace)),
                TimeSpan.FromMilliseconds(parseResult.GetValue(seedRefresh)),
                parseResult.GetValue(keyFile),
                parseResult.GetValue(encryptionMode),
                parseResult.GetValue(uiAllowWrites),
                parseResult.GetValue(minLivePeers));
            return await NodeRunner.RunAsync(settings).ConfigureAwait(false);
        });
        return command;
    }
}
