using System.Net;
using Chitchat.Transport;

namespace Chitchat.IntegrationTests;

/// <summary>
/// Nodes over real UDP on 127.0.0.1. Ports are never fixed: each node binds port 0 and advertises the port the
/// system chose.
/// </summary>
internal static class UdpCluster
{
    public static readonly UdpTransport Transport = new();

    /// <summary>Spawns a node on loopback (port 0 unless given); <paramref name="configure"/> fills in the rest of the config.</summary>
    public static Task<ChitchatHandle> SpawnAsync(
        string nodeId, ulong generationId, Action<ChitchatConfig> configure, int? port = null)
    {
        var address = new IPEndPoint(IPAddress.Loopback, port ?? 0);
        var config = InMemoryCluster.NodeConfig(new ChitchatId(nodeId, generationId, address), [], TimeSpan.FromSeconds(20));
        configure(config);
        return ChitchatServer.SpawnChitchatAsync(config, Transport);
    }

    public static async Task DisposeAllAsync(IEnumerable<ChitchatHandle> nodes) =>
        await Task.WhenAll(nodes.Select(node => node.DisposeAsync().AsTask()));
}
