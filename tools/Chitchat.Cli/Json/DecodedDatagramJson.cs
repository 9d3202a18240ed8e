namespace Chitchat.Cli.Json;

// What `chitchat decode` prints: a datagram's message with its digest and delta spelled out.

/// <summary>A decoded datagram. Fields that the message type does not have are left out.</summary>
internal sealed record DecodedDatagramJson(
    string Type,
    int ProtocolVersion,
    int Length,
    string? ClusterId,
    IReadOnlyList<DigestEntryJson>? Digest,
    DeltaJson? Delta);

/// <summary>One digest entry: what the sender knows of a node.</summary>
internal sealed record DigestEntryJson(ChitchatIdJson ChitchatId, ulong Heartbeat, ulong LastGcVersion, ulong MaxVersion);

/// <summary>A delta: its encoded length (block stream included) and its node deltas in wire order.</summary>
internal sealed record DeltaJson(int EncodedLength, IReadOnlyList<NodeDeltaJson> NodeDeltas);

/// <summary>One node delta: the Node operation's fields, the resulting max version and its key-value operations.</summary>
internal sealed record NodeDeltaJson(
    ChitchatIdJson ChitchatId,
    ulong LastGcVersion,
    ulong FromVersionExcluded,
    ulong MaxVersion,
    IReadOnlyList<KeyValueMutationJson> KeyValues);

/// <summary>One KeyValue operation.</summary>
internal sealed record KeyValueMutationJson(string Key, string Value, ulong Version, string Status);
