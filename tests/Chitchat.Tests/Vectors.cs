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

    public static IEnumerable<JsonElement> PhiTraces =>
        Root.GetProperty("phi_accrual").GetProperty("sampling_window").EnumerateArray();

    public static byte[] Hex(string hex) => Convert.FromHexString(hex);

    public static ChitchatId ParseId(JsonElement node) =>
        new(
            node.GetProperty("node_id").GetString()!,
            node.GetProperty("generation_id").GetUInt64(),
            IPEndPoint.Parse(node.GetProperty("gossip_advertise_addr").GetString()!));
}
