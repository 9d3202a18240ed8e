using System.Diagnostics;
using System.Globalization;
using System.Net;
using Xunit.Abstractions;

namespace Chitchat.NetnsTests;

/// <summary>
/// A private network of hosts, each a network namespace with its own addresses (10.77.0.10 + i, fd77::(10 + i)), joined by a bridge in
/// a namespace of its own, built and torn down by scripts/netns-cluster.sh. Its traffic never leaves the namespaces
/// it created. Disposing it kills every process it started and deletes every namespace, veth, bridge and file; a run
/// that crashed before disposing is cleaned up by the next one (its prefix names a process that no longer exists).
/// </summary>
internal sealed class NetnsLab : IAsyncDisposable
{
    /// <summary>The port of every node (gossip over UDP, HTTP over TCP): each host is alone in its namespace.</summary>
    public const int Port = 7280;

    private static readonly TimeSpan s_scriptTimeout = TimeSpan.FromSeconds(60);
    private static readonly Lazy<Task> s_staleCleaned = new(() => RunScriptAsync(["clean"]));
    private static int s_labCount;

    private readonly List<LabNode> _nodes = [];
    private readonly ITestOutputHelper _output;

    private NetnsLab(string prefix, ITestOutputHelper output)
    {
        Prefix = prefix;
        _output = output;
    }

    /// <summary>Gets the prefix of every namespace of this lab: <c>cc-t{test host pid}-{lab number}</c>.</summary>
    public string Prefix { get; }

    public IReadOnlyList<LabNode> Nodes => _nodes;

    /// <summary>Creates hosts 0 … <paramref name="hosts"/> − 1 (after removing what crashed runs left behind).</summary>
    public static async Task<NetnsLab> CreateAsync(int hosts, ITestOutputHelper output)
    {
        if (NetnsSupport.MissingPrerequisite() is { } missing)
        {
            throw new InvalidOperationException($"network namespaces unavailable: {missing}");
        }

        await s_staleCleaned.Value;
        var number = Interlocked.Increment(ref s_labCount);
        var lab = new NetnsLab(string.Create(CultureInfo.InvariantCulture, $"cc-t{Environment.ProcessId}-{number}"), output);
        try
        {
            await lab.ScriptAsync("net-up", hosts.ToString(CultureInfo.InvariantCulture));
        }
        catch
        {
            await lab.DisposeAsync();
            throw;
        }

        return lab;
    }

    public static IPAddress AddressOf(int host) => IPAddress.Parse(string.Create(CultureInfo.InvariantCulture, $"10.77.0.{10 + host}"));

    public static string EndpointOf(int host) => string.Create(CultureInfo.InvariantCulture, $"{AddressOf(host)}:{Port}");

    /// <summary>Gets host <paramref name="host"/>'s IPv6 address, fd77::(10 + host), on the same bridge.</summary>
    public static IPAddress AddressOf6(int host) => IPAddress.Parse(string.Create(CultureInfo.InvariantCulture, $"fd77::{10 + host}"));

    public static string EndpointOf6(int host) => string.Create(CultureInfo.InvariantCulture, $"[{AddressOf6(host)}]:{Port}");

    public string NamespaceOf(int host) => string.Create(CultureInfo.InvariantCulture, $"{Prefix}-h{host}");

    /// <summary>Adds host <paramref name="host"/> to the network.</summary>
    public Task AddHostAsync(int host) => ScriptAsync("host-add", Str(host));

    /// <summary>Takes the host's link to the bridge down: it neither sends nor receives anything.</summary>
    public Task IsolateAsync(int host) => ScriptAsync("isolate", Str(host));

    public Task ReconnectAsync(int host) => ScriptAsync("reconnect", Str(host));

    /// <summary>Host <paramref name="host"/> drops every UDP datagram from <paramref name="senders"/> (one way).</summary>
    public Task BlockAsync(int host, params int[] senders) => ScriptAsync(["block", Str(host), .. senders.Select(Str)]);

    /// <summary>Host <paramref name="host"/> drops <paramref name="percent"/> % of the UDP datagrams it receives.</summary>
    public Task LossAsync(int host, int percent) => ScriptAsync("loss", Str(host), Str(percent));

    /// <summary>Removes every block and loss of the host.</summary>
    public Task UnblockAsync(int host) => ScriptAsync("unblock", Str(host));

    /// <summary>Starts dnsmasq on the bridge; every host's resolver asks it.</summary>
    public Task StartDnsAsync() => ScriptAsync("dns-start");

    /// <summary>Makes <paramref name="name"/> resolve to the addresses of <paramref name="hosts"/> (TTL 0).</summary>
    public Task SetDnsAsync(string name, params int[] hosts) => ScriptAsync(["dns-set", name, .. hosts.Select(Str)]);

    /// <summary>Starts <c>chitchat node</c> on host <paramref name="host"/> and waits until its HTTP API answers.</summary>
    public Task<LabNode> StartNodeAsync(int host, string nodeId, ulong generation, params string[] flags) =>
        StartNodeAtAsync(host, EndpointOf(host), nodeId, generation, flags);

    /// <summary>Starts <c>chitchat node</c> on host <paramref name="host"/> listening on <paramref name="endpoint"/> (one of the host's addresses).</summary>
    public async Task<LabNode> StartNodeAtAsync(int host, string endpoint, string nodeId, ulong generation, params string[] flags)
    {
        string[] args =
        [
            "node",
            "--listen_addr", endpoint,
            "--node_id", nodeId,
            "--generation", generation.ToString(CultureInfo.InvariantCulture),
            .. flags,
        ];
        var node = new LabNode(nodeId, host, endpoint, generation, NamespaceOf(host), CliTool.StartWith(["ip", "netns", "exec", NamespaceOf(host)], args));
        _nodes.Add(node);
        await node.WaitUntilServingAsync();
        return node;
    }

    /// <summary>Starts one node per host in <paramref name="hosts"/>, concurrently.</summary>
    public async Task<LabNode[]> StartNodesAsync(IEnumerable<int> hosts, ulong generation, Func<int, string[]> flags)
    {
        var started = Stopwatch.StartNew();
        var nodes = await Task.WhenAll(hosts.Select(host => StartNodeAsync(host, NodeIdOf(host), generation, flags(host))));
        _output.WriteLine($"{Prefix}: started {nodes.Length} nodes in {started.Elapsed.TotalSeconds:0.0} s");
        return nodes;
    }

    public static string NodeIdOf(int host) => string.Create(CultureInfo.InvariantCulture, $"node_{host}");

    public async ValueTask DisposeAsync()
    {
        await Task.WhenAll(_nodes.Select(node => node.DisposeAsync().AsTask()));
        _nodes.Clear();
        await ScriptAsync("net-down");
    }

    private static string Str(int value) => value.ToString(CultureInfo.InvariantCulture);

    private Task ScriptAsync(params string[] args) => RunScriptAsync(["--prefix", Prefix, .. args]);

    private static async Task RunScriptAsync(IReadOnlyList<string> args)
    {
        var script = Path.Combine(AppContext.BaseDirectory, "scripts", "netns-cluster.sh");
        var startInfo = new ProcessStartInfo("bash")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        startInfo.ArgumentList.Add(script);
        foreach (var arg in args)
        {
            startInfo.ArgumentList.Add(arg);
        }

        using var process = Process.Start(startInfo)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(s_scriptTimeout);
        try
        {
            await process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"netns-cluster.sh {string.Join(' ', args)} did not finish within {s_scriptTimeout}.");
        }

        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException(
                $"netns-cluster.sh {string.Join(' ', args)} failed with exit code {process.ExitCode}:\n{await stdout}{await stderr}");
        }
    }
}
