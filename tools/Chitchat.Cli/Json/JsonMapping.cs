using Chitchat.Cli.Common;
using Chitchat.Wire;

namespace Chitchat.Cli.Json;

/// <summary>Builds the JSON of <c>chitchat decode</c> from decoded wire messages.</summary>
internal static class JsonMapping
{
    public static ChitchatIdJson ToJson(ChitchatId id) =>
        new(id.NodeId, id.GenerationId, SocketAddressFormat.Format(id.GossipAdvertiseAddr));

    /// <summary>The serde name of a deletion status (Rust's <c>DeletionStatusMutation</c>).</summary>
    public static string StatusName(DeletionStatus status) => status switch
    {
        DeletionStatus.Set => "Set",
        DeletionStatus.Deleted => "Delete",
        DeletionStatus.DeleteAfterTtl => "DeleteAfterTtl",
        _ => status.ToString(),
    };

    public static DecodedDatagramJson ToJson(ChitchatMessage message, int length) => message switch
    {
        ChitchatMessage.Syn syn => new DecodedDatagramJson("Syn", (int)syn.Version, length, syn.ClusterId, ToJson(syn.Digest), null),
        ChitchatMessage.SynAck synAck => new DecodedDatagramJson("SynAck", (int)synAck.Version, length, null, ToJson(synAck.Digest), ToJson(synAck.Delta)),
        ChitchatMessage.Ack ack => new DecodedDatagramJson("Ack", (int)ack.Version, length, null, null, ToJson(ack.Delta)),
        _ => new DecodedDatagramJson(message.Type.ToString(), (int)message.Version, length, null, null, null),
    };

    private static List<DigestEntryJson> ToJson(Digest digest) =>
        digest.NodeDigests
            .Select(entry => new DigestEntryJson(ToJson(entry.Key), entry.Value.Heartbeat, entry.Value.LastGcVersion, entry.Value.MaxVersion))
            .ToList();

    private static DeltaJson ToJson(Delta delta) =>
        new(
            // A decoded delta knows how many bytes it took on the wire; re-encoding could compress differently.
            delta.DecodedLength > 0 ? delta.DecodedLength : delta.SerializedLength,
            delta.NodeDeltas
                .Select(nodeDelta => new NodeDeltaJson(
                    ToJson(nodeDelta.ChitchatId),
                    nodeDelta.LastGcVersion,
                    nodeDelta.FromVersionExcluded,
                    nodeDelta.MaxVersion,
                    nodeDelta.KeyValues.Select(kv => new KeyValueMutationJson(kv.Key, kv.Value, kv.Version, StatusName(kv.Status))).ToList()))
                .ToList());
}
