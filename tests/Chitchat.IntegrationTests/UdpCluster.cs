using System.Net;
using System.Net.Sockets;
using Chitchat.Transport;

namespace Chitchat.IntegrationTests;

/// <summary>
/// Nodes over real UDP on 127.0.0.1. Ports are never fixed: a node's advertise port must be known before it
/// starts, so a free port is found by binding port 0 and releasing it, and the spawn is retried if another
/// process took the port in between.
/// </summary>
internal static class UdpCluster
{
    public static readonly UdpTransport Transport = new();

    /// <summary>A UDP port that was free a moment ago.</summary>
    public static int FreeUdpPort()
    {
        using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
        socket.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        return ((IPEndPoint)socket.LocalEndPoint!).Port;
    }

    /// <summary>Spawns a node on a free loopback port; <paramref name="configure"/> fills in the rest of the config.</summary>
    public static async Task<ChitchatHandle> SpawnAsync(
        string nodeId, ulong generationId, Action<ChitchatConfig> configure, int? port = null)
    {
        for (var attempt = 1; ; attempt++)
        {
            var address = new IPEndPoint(IPAddress.Loopback, port ?? FreeUdpPort());
            var config = InMemoryCluster.NodeConfig(new ChitchatId(nodeId, generationId, address), [], TimeSpan.FromSeconds(20));
            configure(config);
            try
            {
                return await ChitchatServer.SpawnChitchatAsync(config, Transport);
            }
            catch (IOException) when (port is null && attempt < 5)
            {
                // Somebody took the port between the probe and the bind: try another one.
            }
        }
    }

    public static async Task DisposeAllAsync(IEnumerable<ChitchatHandle> nodes) =>
        await Task.WhenAll(nodes.Select(node => node.DisposeAsync().AsTask()));
}
