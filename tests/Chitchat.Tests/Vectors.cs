using System.Net;
using System.Text.Json;

namespace Chitchat.Tests;

/// <summary>Loads the golden vectors produced by the Rust crate (tests/vectors/chitchat-0.10.1.json).</summary>
internal static class Vectors
{
    private static readonly Lazy<JsonDocument> s_document = new(() =>
    {
        var path = Path.Combine(AppContext.BaseDirectory, "vectors", "chitchat-0.10.1.json");
        return JsonDocument.Parse(File.ReadAllText(path));
    });

    public static JsonElement Root => s_document.Value.RootElement;

    public static IEnumerable<JsonElement> Messages => Root.GetProperty("messages").EnumerateArray();

    public static JsonElement Message(string name) =>
        Messages.Single(m => m.GetProperty("name").GetString() == name);

    public static IEnumerable<JsonElement> DecodeErrors => Root.GetProperty("decode_errors").EnumerateArray();

    public static IEnumerable<JsonElement> HandshakeSteps => Root.GetProperty("handshake").GetProperty("steps").EnumerateArray();

    public static IEnumerable<JsonElement> Primitives => Root.GetProperty("primitives").EnumerateArray();

    /// <summary>Every complete datagram of the file: the <c>messages</c> and the <c>handshake.steps</c>.</summary>
    public static IEnumerable<JsonElement> WireMessages => Messages.Concat(HandshakeSteps);

    public static IEnumerable<JsonElement> PhiTraces =>
        Root.GetProperty("phi_accrual").GetProperty("sampling_window").EnumerateArray();

    /// <summary>Finds an entry by its <c>name</c> in <paramref name="entries"/>.</summary>
    public static JsonElement Named(IEnumerable<JsonElement> entries, string name) =>
        entries.Single(e => e.GetProperty("name").GetString() == name);

    /// <summary>The <c>name</c> of every entry, as xunit theory data (one test case per vector).</summary>
    public static TheoryData<string> Names(IEnumerable<JsonElement> entries)
    {
        var data = new TheoryData<string>();
        foreach (var entry in entries)
        {
            data.Add(entry.GetProperty("name").GetString()!);
        }

        return data;
    }

    public static byte[] Hex(string hex) => Convert.FromHexString(hex);

    public static byte[] Hex(JsonElement entry, string property = "hex") => Convert.FromHexString(entry.GetProperty(property).GetString()!);

    public static ChitchatId ParseId(JsonElement node) =>
        new(
            node.GetProperty("node_id").GetString()!,
            node.GetProperty("generation_id").GetUInt64(),
            IPEndPoint.Parse(node.GetProperty("gossip_advertise_addr").GetString()!));
}
