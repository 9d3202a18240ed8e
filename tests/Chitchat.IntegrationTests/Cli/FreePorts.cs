using System.Net;
using System.Net.Sockets;

namespace Chitchat.IntegrationTests.Cli;

/// <summary>
/// Ports for <c>chitchat node</c> processes, which gossip over UDP and serve HTTP over TCP on the same port: a port
/// is handed out only if both a TCP and a UDP socket could bind it a moment ago. Never fixed ports, so the tests do
/// not depend on what else runs on the machine; callers retry with another port if a process loses the race.
/// </summary>
internal static class FreePorts
{
    private static readonly HashSet<int> s_handedOut = [];

    public static int Next()
    {
        for (var attempt = 0; attempt < 100; attempt++)
        {
            using var tcp = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
            tcp.Bind(new IPEndPoint(IPAddress.Loopback, 0));
            var port = ((IPEndPoint)tcp.LocalEndPoint!).Port;
            using var udp = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
            try
            {
                udp.Bind(new IPEndPoint(IPAddress.Loopback, port));
            }
            catch (SocketException)
            {
                continue;
            }

            lock (s_handedOut)
            {
                // Never twice in one test run, even after the first user released it.
                if (s_handedOut.Add(port))
                {
                    return port;
                }
            }
        }

        throw new InvalidOperationException("No port is free for both TCP and UDP on 127.0.0.1.");
    }
}
