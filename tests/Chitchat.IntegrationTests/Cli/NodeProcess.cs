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
    /// Starts <c>chitchat node</c> and waits until its HTTP API answers. Without a fixed <paramref name="port"/>, a
    /// free port is chosen, and another one if the process loses it to someone else before binding.
    /// </summary>
    public static async Task<NodeProcess> StartAsync(string nodeId, ulong generation, IReadOnlyList<string> extraArgs, int? port = null)
    {
        for (var attempt = 1; ; attempt++)
        {
            var chosen = port ?? FreePorts.Next();
            string[] args =
            [
                "node",
                "--listen_addr", $"127.0.0.1:{chosen.ToString(CultureInfo.InvariantCulture)}",
                "--node_id", nodeId,
                "--generation", generation.ToString(CultureInfo.InvariantCulture),
                .. extraArgs,
            ];
            var node = new NodeProcess(nodeId, chosen, generation, CliTool.Start(args));
            if (await node.WaitUntilServingAsync())
            {
                return node;
            }

            var log = node.Process.Describe();
            await node.DisposeAsync();
            if (port is not null || attempt >= 3)
            {
                throw new InvalidOperationException($"chitchat node {nodeId} on port {chosen} did not start.\n{log}");
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
    public Task<NodeView?> TryGetStateAsync() => NodeView.TryGetAsync(s_http, new Uri($"http://{Address}/"));

    public ValueTask DisposeAsync() => Process.DisposeAsync();

    private Task<bool> WaitUntilServingAsync() => NodeView.WaitUntilServingAsync(Process, TryGetStateAsync, s_startTimeout);
}
