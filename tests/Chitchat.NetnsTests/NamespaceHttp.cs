namespace Chitchat.NetnsTests;

/// <summary>HTTP clients whose TCP connections are made from inside a namespace (no route out of the lab needed).</summary>
internal static class NamespaceHttp
{
    public static HttpClient Create(string namespaceName, Uri baseAddress)
    {
        var family = baseAddress.HostNameType == UriHostNameType.IPv6
            ? System.Net.Sockets.AddressFamily.InterNetworkV6
            : System.Net.Sockets.AddressFamily.InterNetwork;
        var handler = new SocketsHttpHandler
        {
            ConnectCallback = async (context, cancellationToken) =>
            {
                var socket = NativeMethods.CreateTcpSocketIn(namespaceName, family);
                try
                {
                    await socket.ConnectAsync(context.DnsEndPoint, cancellationToken);
                    return new System.Net.Sockets.NetworkStream(socket, ownsSocket: true);
                }
                catch
                {
                    socket.Dispose();
                    throw;
                }
            },
        };
        return new HttpClient(handler) { Timeout = TimeSpan.FromSeconds(5), BaseAddress = baseAddress };
    }
}
