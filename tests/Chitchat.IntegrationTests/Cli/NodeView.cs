using System.Diagnostics;
using System.Net;
using System.Text.Json;

namespace Chitchat.IntegrationTests.Cli;

/// <summary>A node id as the HTTP API shows it.</summary>
internal sealed record IdView(string NodeId, ulong GenerationId, string GossipAdvertiseAddr)
{
    public static IdView Parse(JsonElement element) =>
        new(
            element.GetProperty("node_id").GetString()!,
            element.GetProperty("generation_id").GetUInt64(),
            element.GetProperty("gossip_advertise_addr").GetString()!);

    public override string ToString() => $"{NodeId}:{GenerationId}:{GossipAdvertiseAddr}";
}

/// <summary>One stored value as the HTTP API shows it.</summary>
internal sealed record ValueView(string Value, ulong Version, string Status);

/// <summary>One node state as the HTTP API shows it.</summary>
internal sealed record NodeStateView(IdView Id, ulong Heartbeat, IReadOnlyDictionary<string, ValueView> KeyValues, ulong MaxVersion, ulong LastGcVersion);

/// <summary>The answer of <c>GET /</c> of a <c>chitchat node</c>, parsed with the field names of the chitchat-test document.</summary>
internal sealed record NodeView(
    string ClusterId,
    IReadOnlyList<NodeStateView> NodeStates,
    IReadOnlyList<string> SeedAddrs,
    IReadOnlyList<IdView> LiveNodes,
    IReadOnlyList<IdView> DeadNodes,
    string Json)
{
    public static NodeView Parse(string json)
    {
        using var document = JsonDocument.Parse(json);
        var root = document.RootElement;
        var clusterState = root.GetProperty("cluster_state");
        var nodeStates = clusterState.GetProperty("node_states").EnumerateArray().Select(state => new NodeStateView(
            IdView.Parse(state.GetProperty("chitchat_id")),
            state.GetProperty("heartbeat").GetUInt64(),
            state.GetProperty("key_values").EnumerateObject().ToDictionary(
                kv => kv.Name,
                kv => new ValueView(
                    kv.Value.GetProperty("value").GetString()!,
                    kv.Value.GetProperty("version").GetUInt64(),
                    kv.Value.GetProperty("status").GetString()!)),
            state.GetProperty("max_version").GetUInt64(),
            state.GetProperty("last_gc_version").GetUInt64())).ToList();
        return new NodeView(
            root.GetProperty("cluster_id").GetString()!,
            nodeStates,
            clusterState.GetProperty("seed_addrs").EnumerateArray().Select(seed => seed.GetString()!).ToList(),
            root.GetProperty("live_nodes").EnumerateArray().Select(IdView.Parse).ToList(),
            root.GetProperty("dead_nodes").EnumerateArray().Select(IdView.Parse).ToList(),
            json);
    }

    /// <summary>GET <paramref name="uri"/> (a node's <c>/</c>) parsed, or null if the node does not answer (yet, or any more).</summary>
    public static async Task<NodeView?> TryGetAsync(HttpClient http, Uri uri)
    {
        try
        {
            using var response = await http.GetAsync(uri);
            return response.StatusCode == HttpStatusCode.OK ? Parse(await response.Content.ReadAsStringAsync()) : null;
        }
        catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException or IOException)
        {
            return null;
        }
    }

    /// <summary>
    /// Polls <paramref name="tryGet"/> until the node answers (true), its process exits or <paramref name="timeout"/>
    /// passes (false).
    /// </summary>
    public static async Task<bool> WaitUntilServingAsync(CliProcess process, Func<Task<NodeView?>> tryGet, TimeSpan timeout)
    {
        var stopwatch = Stopwatch.StartNew();
        while (stopwatch.Elapsed < timeout)
        {
            if (process.HasExited)
            {
                return false;
            }

            if (await tryGet() is not null)
            {
                return true;
            }

            await Task.Delay(100);
        }

        return false;
    }

    /// <summary>The value of <paramref name="key"/> in the state of <paramref name="nodeId"/>, if set.</summary>
    public string? ValueOf(string nodeId, string key) =>
        NodeStates.FirstOrDefault(state => state.Id.NodeId == nodeId)?.KeyValues.GetValueOrDefault(key) is { Status: "Set" } value
            ? value.Value
            : null;

    public override string ToString() =>
        $"cluster {ClusterId}: live [{string.Join(", ", LiveNodes)}], dead [{string.Join(", ", DeadNodes)}], {NodeStates.Count} node states";
}
