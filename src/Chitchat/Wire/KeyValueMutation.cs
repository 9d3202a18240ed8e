namespace Chitchat.Wire;

/// <summary>One key-value update carried by a node delta.</summary>
/// <param name="Key">The key.</param>
/// <param name="Value">The value (empty for a tombstone).</param>
/// <param name="Version">The version assigned by the owner.</param>
/// <param name="Status">The deletion status, whose numeric value is the wire code.</param>
internal sealed record KeyValueMutation(string Key, string Value, ulong Version, DeletionStatus Status)
{
    /// <summary>Encoded length of the KeyValue operation, tag included.</summary>
    internal int OpLength => OpLengthOf(Key, Value);

    internal static int OpLengthOf(string key, string value) =>
        1 + WireFormat.StringLength(key) + WireFormat.StringLength(value) + 8 + 1;
}
