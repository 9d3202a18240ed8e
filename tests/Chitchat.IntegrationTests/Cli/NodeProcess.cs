using System.Globalization;
using System.Net;

namespace Chitchat.IntegrationTests.Cli;

/// <summary>A <c>chitchat node</c> process and its HTTP API on 127.0.0.1.</summary>
internal sealed class NodeProcess : IAsyncDisposable
{
    private static readonly HttpClient s_http = new() { Timeout = TimeSpan.FromSeconds(5) };
    private static readonly TimeSpan s_startTimeout = TimeSpan.FromSeconds(30);

    private NodeProcess(string nodeId, int port, ulong generation, CliProcess process)
    {
        NodeId = nodeId;
        Port = port;
        Generation = generation;
        Process = process;
    }

    public string NodeId { get; }

    public int Port { get; }

    public ulong Generation { get; }

    public CliProcess Process { get; }

    public string Address => $"127.0.0.1:{Port.ToString(CultureInfo.InvariantCulture)}";

    /// <summary>
    /// Starts <c>chitchat node</c> and waits until its HTTP API answers. Without a fixed <paramref name="port"/>, the
    /// node listens on port 0 and the port it got is read from its start-up line; the HTTP API then binds that port
    /// over TCP, and another attempt is made if the TCP port happens to be taken.
    /// </summary>
    public static async Task<NodeProcess> StartAsync(string nodeId, ulong generation, IReadOnlyList<string> extraArgs, int? port = null)
    {
        for (var attempt = 1; ; attempt++)
        {
            string[] args =
            [
                "node",
                "--listen_addr", $"127.0.0.1:{(port ?? 0).ToString(CultureInfo.InvariantCulture)}",
                "--node_id", nodeId,
                "--generation", generation.ToString(CultureInfo.InvariantCulture),
                .. extraArgs,
            ];
            var process = CliTool.Start(args);
            var bound = port ?? await WaitForBoundPortAsync(process);
            var node = new NodeProcess(nodeId, bound ?? 0, generation, process);
            if (bound is not null && await node.WaitUntilServingAsync())
            {
                return node;
            }

            var log = node.Process.Describe();
            await node.DisposeAsync();
            if (port is not null || attempt >= 3)
            {
                throw new InvalidOperationException($"chitchat node {nodeId} on port {bound} did not start.\n{log}");
            }
        }
    }

    /// <summary>GET <paramref name="pathAndQuery"/>: the status code and body.</summary>
    public async Task<(HttpStatusCode Status, string Body)> GetAsync(string pathAndQuery)
    {
        using var response = await s_http.GetAsync(new Uri($"http://{Address}{pathAndQuery}"));
        return (response.StatusCode, await response.Content.ReadAsStringAsync());
    }

    /// <summary>GET / parsed, or null if the node does not answer (yet, or any more).</summary>
    public async Task<NodeView?> TryGetStateAsync()
    {
        try
        {
            var (status, body) = await GetAsync("/");
            return status == HttpStatusCode.OK ? NodeView.Parse(body) : null;
        }
        catch (HttpRequestException)
        {
            return null;
        }
        catch (TaskCanceledException)
        {
            return null;
        }
    }

    public ValueTask DisposeAsync() => Process.DisposeAsync();

    // "… gossip on udp://127.0.0.1:PORT advertised as …": the port the node got for port 0.
    private static async Task<int?> WaitForBoundPortAsync(CliProcess process)
    {
        const string Marker = "gossip on udp://127.0.0.1:";
        var deadline = DateTime.UtcNow + s_startTimeout;
        while (DateTime.UtcNow < deadline && !process.HasExited)
        {
            var output = process.StandardOutputText;
            var at = output.IndexOf(Marker, StringComparison.Ordinal);
            if (at >= 0)
            {
                var digits = new string(output[(at + Marker.Length)..].TakeWhile(char.IsAsciiDigit).ToArray());
                if (digits.Length > 0 && int.TryParse(digits, CultureInfo.InvariantCulture, out var bound))
                {
                    return bound;
                }
            }

            await Task.Delay(50);
        }

        return null;
    }

    private async Task<bool> WaitUntilServingAsync()
    {
        var deadline = DateTime.UtcNow + s_startTimeout;
        while (DateTime.UtcNow < deadline)
        {
            if (Process.HasExited)
            {
                return false;
            }

            if (await TryGetStateAsync() is not null)
            {
                return true;
            }

            await Task.Delay(100);
        }

        return false;
    }
}
