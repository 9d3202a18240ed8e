using System.Net;

namespace Chitchat.NetnsTests;

/// <summary>
/// A <c>chitchat node</c> process running in its host's namespace. Its HTTP API is reached through sockets created
/// in that namespace, so the tests talk to it without any route out of the namespaces.
/// </summary>
internal sealed class LabNode : IAsyncDisposable
{
    private static readonly TimeSpan s_startTimeout = TimeSpan.FromSeconds(60);

    private readonly HttpClient _http;

    public LabNode(string nodeId, int host, string endpoint, ulong generation, string namespaceName, CliProcess process)
    {
        NodeId = nodeId;
        Endpoint = endpoint;
        Host = host;
        Generation = generation;
        Process = process;
        _http = NamespaceHttp.Create(namespaceName, new Uri($"http://{endpoint}/"));
    }

    public string NodeId { get; }

    public int Host { get; }

    public ulong Generation { get; }

    /// <summary>Gets the address other nodes reach it at.</summary>
    public string Endpoint { get; }

    public CliProcess Process { get; }

    /// <summary>GET / parsed, or null if the node does not answer (stopped, killed, or not started yet).</summary>
    public Task<NodeView?> TryGetStateAsync() => NodeView.TryGetAsync(_http, new Uri("/", UriKind.Relative));

    /// <summary>Sets <paramref name="key"/> on this node (GET /set_kv).</summary>
    public async Task SetAsync(string key, string value)
    {
        using var response = await _http.GetAsync(new Uri($"/set_kv?key={Uri.EscapeDataString(key)}&value={Uri.EscapeDataString(value)}", UriKind.Relative));
        response.StatusCode.Should().Be(HttpStatusCode.OK, $"set_kv on {NodeId}");
    }

    /// <summary>SIGKILL: the process vanishes without a word.</summary>
    public void Kill() => Process.Kill();

    /// <summary>SIGSTOP: the process freezes (its sockets stay open, nothing is answered).</summary>
    public Task PauseAsync() => Process.SignalAsync("STOP");

    /// <summary>SIGCONT: a paused process resumes.</summary>
    public Task ResumeAsync() => Process.SignalAsync("CONT");

    public async ValueTask DisposeAsync()
    {
        await Process.DisposeAsync();
        _http.Dispose();
    }

    public override string ToString() => $"{NodeId}@{Endpoint} (generation {Generation})";

    internal async Task WaitUntilServingAsync()
    {
        if (!await NodeView.WaitUntilServingAsync(Process, TryGetStateAsync, s_startTimeout))
        {
            throw new InvalidOperationException($"chitchat node {this} did not start.\n{Process.Describe()}");
        }
    }
}
