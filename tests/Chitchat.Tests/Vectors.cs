using System.Net;
using System.Text.Json;

namespace Chitchat.Tests;

/// <summary>One golden vectors file produced by a Rust crate (tests/vectors).</summary>
internal sealed class VectorFile(string fileName)
{
    private readonly Lazy<JsonDocument> _document = new(() =>
        JsonDocument.Parse(File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "vectors", fileName))));

    public JsonElement Root => _document.Value.RootElement;

    public IEnumerable<JsonElement> Messages => Root.GetProperty("messages").EnumerateArray();

    public IEnumerable<JsonElement> DecodeErrors => Root.GetProperty("decode_errors").EnumerateArray();

    public IEnumerable<JsonElement> Primitives => Root.GetProperty("primitives").EnumerateArray();

    public IEnumerable<JsonElement> PhiTraces =>
        Root.GetProperty("phi_accrual").GetProperty("sampling_window").EnumerateArray();

    /// <summary>The steps of the transcript under <paramref name="key"/> (<c>handshake</c>, <c>handshake_v0</c>, …).</summary>
    public IEnumerable<JsonElement> Steps(string key = "handshake") => Root.GetProperty(key).GetProperty("steps").EnumerateArray();
}

/// <summary>
/// The golden vectors: <see cref="V010"/> (tests/vectors/chitchat-0.10.1.json) and <see cref="V013"/>
/// (chitchat-0.13.0.json, protocol V0 and V1). The static members without a file name read the 0.10.1 file.
/// </summary>
internal static class Vectors
{
    public static VectorFile V010 { get; } = new("chitchat-0.10.1.json");

    public static VectorFile V013 { get; } = new("chitchat-0.13.0.json");

    public static JsonElement Root => V010.Root;

    public static IEnumerable<JsonElement> Messages => V010.Messages;

    public static JsonElement Message(string name) =>
        Messages.Single(m => m.GetProperty("name").GetString() == name);

    public static IEnumerable<JsonElement> DecodeErrors => V010.DecodeErrors;

    public static IEnumerable<JsonElement> HandshakeSteps => V010.Steps();

    public static IEnumerable<JsonElement> Primitives => V010.Primitives;

    /// <summary>Every complete datagram of the file: the <c>messages</c> and the <c>handshake.steps</c>.</summary>
    public static IEnumerable<JsonElement> WireMessages => Messages.Concat(HandshakeSteps);

    public static IEnumerable<JsonElement> PhiTraces => V010.PhiTraces;

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

    /// <summary>The protocol version of a vector's logical content (absent in the 0.10.1 file: V0).</summary>
    public static ProtocolVersion Version(JsonElement logical) =>
        logical.TryGetProperty("protocol_version", out var version) ? (ProtocolVersion)version.GetByte() : ProtocolVersion.V0;
}
