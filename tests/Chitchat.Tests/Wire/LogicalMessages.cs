using System.Text.Json;
using Chitchat.Wire;

namespace Chitchat.Tests.Wire;

/// <summary>
/// Converts the <c>logical</c> content of a Rust golden vector into .NET messages, and compares a decoded
/// message with it field by field (so a failure names the field, not just "not equal").
/// </summary>
internal static class LogicalMessages
{
    public static ChitchatMessage ToMessage(JsonElement logical)
    {
        var version = Vectors.Version(logical);
        return logical.GetProperty("type").GetString() switch
        {
            "Syn" => new ChitchatMessage.Syn(logical.GetProperty("cluster_id").GetString()!, ToDigest(logical.GetProperty("digest")), version),
            "SynAck" => new ChitchatMessage.SynAck(ToDigest(logical.GetProperty("digest")), ToDelta(logical.GetProperty("delta")), version),
            "Ack" => new ChitchatMessage.Ack(ToDelta(logical.GetProperty("delta")), version),
            "BadCluster" => ChitchatMessage.BadCluster.ForVersion(version),
            var other => throw new InvalidOperationException($"Unknown message type {other}"),
        };
    }

    public static Digest ToDigest(JsonElement entries)
    {
        var digest = new Digest();
        foreach (var entry in entries.EnumerateArray())
        {
            digest.Add(
                Vectors.ParseId(entry.GetProperty("node")),
                entry.GetProperty("heartbeat").GetUInt64(),
                entry.GetProperty("last_gc_version").GetUInt64(),
                entry.GetProperty("max_version").GetUInt64());
        }

        return digest;
    }

    /// <summary>Builds the delta from its node deltas; it is encoded like Rust's <c>Delta::serialize</c>.</summary>
    public static Delta ToDelta(JsonElement nodeDeltas) =>
        Delta.FromNodeDeltas(nodeDeltas.EnumerateArray().Select(ToNodeDelta).ToList());

    public static NodeDelta ToNodeDelta(JsonElement nodeDelta) =>
        new(
            Vectors.ParseId(nodeDelta.GetProperty("node")),
            nodeDelta.GetProperty("last_gc_version").GetUInt64(),
            nodeDelta.GetProperty("from_version_excluded").GetUInt64(),
            nodeDelta.GetProperty("max_version").GetUInt64(),
            nodeDelta.GetProperty("key_values").EnumerateArray().Select(ToKeyValue).ToList());

    public static KeyValueMutation ToKeyValue(JsonElement keyValue) =>
        new(
            keyValue.GetProperty("key").GetString()!,
            keyValue.GetProperty("value").GetString()!,
            keyValue.GetProperty("version").GetUInt64(),
            (DeletionStatus)keyValue.GetProperty("status_code").GetByte());

    /// <summary>Asserts that <paramref name="message"/> carries exactly the logical content.</summary>
    public static void AssertMatches(ChitchatMessage message, JsonElement logical)
    {
        message.Type.ToString().Should().Be(logical.GetProperty("type").GetString());
        ((byte)message.Type).Should().Be(logical.GetProperty("type_code").GetByte());
        message.Version.Should().Be(Vectors.Version(logical));
        switch (message)
        {
            case ChitchatMessage.Syn syn:
                syn.ClusterId.Should().Be(logical.GetProperty("cluster_id").GetString());
                AssertDigest(syn.Digest, logical.GetProperty("digest"));
                break;
            case ChitchatMessage.SynAck synAck:
                AssertDigest(synAck.Digest, logical.GetProperty("digest"));
                AssertDelta(synAck.Delta, logical.GetProperty("delta"));
                break;
            case ChitchatMessage.Ack ack:
                AssertDelta(ack.Delta, logical.GetProperty("delta"));
                break;
        }
    }

    /// <summary>
    /// Compares entries in id order (the order the .NET digest keeps, and the order Rust writes; a decoded digest
    /// is a map, so the order of repeated or unsorted entries on the wire does not matter).
    /// </summary>
    public static void AssertDigest(Digest digest, JsonElement expected)
    {
        var entries = digest.NodeDigests.ToList();
        var expectedEntries = expected.EnumerateArray().OrderBy(e => Vectors.ParseId(e.GetProperty("node"))).ToList();
        entries.Should().HaveCount(expectedEntries.Count);
        for (var i = 0; i < entries.Count; i++)
        {
            var (id, nodeDigest) = (entries[i].Key, entries[i].Value);
            var want = expectedEntries[i];
            AssertId(id, want.GetProperty("node"), $"digest[{i}]");
            nodeDigest.Heartbeat.Should().Be(want.GetProperty("heartbeat").GetUInt64(), $"digest[{i}].heartbeat");
            nodeDigest.LastGcVersion.Should().Be(want.GetProperty("last_gc_version").GetUInt64(), $"digest[{i}].last_gc_version");
            nodeDigest.MaxVersion.Should().Be(want.GetProperty("max_version").GetUInt64(), $"digest[{i}].max_version");
        }
    }

    public static void AssertDelta(Delta delta, JsonElement expected)
    {
        var expectedNodes = expected.EnumerateArray().ToList();
        delta.NodeDeltas.Should().HaveCount(expectedNodes.Count);
        for (var i = 0; i < expectedNodes.Count; i++)
        {
            var nodeDelta = delta.NodeDeltas[i];
            var want = expectedNodes[i];
            var at = $"delta[{i}]";
            AssertId(nodeDelta.ChitchatId, want.GetProperty("node"), at);
            nodeDelta.LastGcVersion.Should().Be(want.GetProperty("last_gc_version").GetUInt64(), $"{at}.last_gc_version");
            nodeDelta.FromVersionExcluded.Should().Be(want.GetProperty("from_version_excluded").GetUInt64(), $"{at}.from_version_excluded");
            nodeDelta.MaxVersion.Should().Be(want.GetProperty("max_version").GetUInt64(), $"{at}.max_version");
            var expectedKeyValues = want.GetProperty("key_values").EnumerateArray().ToList();
            nodeDelta.KeyValues.Should().HaveCount(expectedKeyValues.Count, $"{at}.key_values");
            for (var k = 0; k < expectedKeyValues.Count; k++)
            {
                var keyValue = nodeDelta.KeyValues[k];
                var wantKeyValue = expectedKeyValues[k];
                var kvAt = $"{at}.key_values[{k}]";
                keyValue.Key.Should().Be(wantKeyValue.GetProperty("key").GetString(), $"{kvAt}.key");
                keyValue.Value.Should().Be(wantKeyValue.GetProperty("value").GetString(), $"{kvAt}.value");
                keyValue.Version.Should().Be(wantKeyValue.GetProperty("version").GetUInt64(), $"{kvAt}.version");
                ((byte)keyValue.Status).Should().Be(wantKeyValue.GetProperty("status_code").GetByte(), $"{kvAt}.status_code");
                keyValue.Status.ToString().Should().Be(wantKeyValue.GetProperty("status").GetString(), $"{kvAt}.status");
            }
        }
    }

    private static void AssertId(ChitchatId id, JsonElement expected, string at)
    {
        id.NodeId.Should().Be(expected.GetProperty("node_id").GetString(), $"{at}.node_id");
        id.GenerationId.Should().Be(expected.GetProperty("generation_id").GetUInt64(), $"{at}.generation_id");
        id.GossipAdvertiseAddr.ToString().Should().Be(expected.GetProperty("gossip_advertise_addr").GetString(), $"{at}.gossip_advertise_addr");
        id.Should().Be(Vectors.ParseId(expected), at);
    }
}
