using System.Net;

namespace Chitchat.Testing;

/// <summary>Node ids for tests, in the shapes chitchat's own tests use.</summary>
/// <remarks>Thread-safe.</remarks>
public static class TestIds
{
    /// <summary>Returns <c>node-{port}</c>, generation 0, <c>127.0.0.1:{port}</c> (chitchat's <c>ChitchatId::for_local_test</c>).</summary>
    /// <param name="port">The port.</param>
    /// <returns>The id.</returns>
    public static ChitchatId Local(int port) => new($"node-{port}", 0, new IPEndPoint(IPAddress.Loopback, port));

    /// <summary>Returns an id from an endpoint text such as <c>10.0.0.1:7280</c> or <c>[::1]:7280</c>.</summary>
    /// <param name="nodeId">The node id.</param>
    /// <param name="generationId">The generation.</param>
    /// <param name="endPoint">The advertise endpoint.</param>
    /// <returns>The id.</returns>
    public static ChitchatId Create(string nodeId, ulong generationId, string endPoint) =>
        new(nodeId, generationId, IPEndPoint.Parse(endPoint));
}
