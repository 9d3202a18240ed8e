using System.Net;

namespace Chitchat.Tests;

/// <summary>Identifiers shared by the tests (the shapes the Rust tests use).</summary>
internal static class TestIds
{
    /// <summary><c>node-10001</c>, generation 0, <c>127.0.0.1:10001</c>: 27 bytes on the wire.</summary>
    public static ChitchatId Node10001 { get; } = ChitchatId.ForLocalTest(10_001);

    /// <summary><c>node-10002</c>, generation 0, <c>127.0.0.1:10002</c>: 27 bytes on the wire.</summary>
    public static ChitchatId Node10002 { get; } = ChitchatId.ForLocalTest(10_002);

    /// <summary>Rust's <c>ChitchatId::for_local_test(port)</c>.</summary>
    public static ChitchatId Local(int port) => ChitchatId.ForLocalTest(port);

    /// <summary>Creates an id from an endpoint text such as <c>10.0.0.1:7280</c> or <c>[::1]:7280</c>.</summary>
    public static ChitchatId Create(string nodeId, ulong generationId, string endPoint) =>
        new(nodeId, generationId, IPEndPoint.Parse(endPoint));

    /// <summary>
    /// <paramref name="count"/> members named as in a Quickwit cluster (<c>quickwit-indexer-1dfe9b4f</c>, a
    /// millisecond generation, port 7280), the same for the same seed.
    /// </summary>
    public static List<ChitchatId> Realistic(int count, int seed = 1)
    {
        var random = new Random(seed);
        string[] roles = ["indexer", "searcher", "metastore", "control-plane", "janitor"];
        return Enumerable.Range(0, count)
            .Select(i => new ChitchatId(
                $"quickwit-{roles[random.Next(roles.Length)]}-{random.Next():x8}",
                1_755_000_000_000UL + (ulong)random.Next(10_000_000),
                new IPEndPoint(new IPAddress([127, (byte)(1 + (i >> 16)), (byte)(i >> 8), (byte)i]), 7280)))
            .ToList();
    }
}
