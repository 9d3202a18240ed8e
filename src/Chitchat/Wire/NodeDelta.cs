namespace Chitchat.Wire;

/// <summary>The updates of one member carried by a delta.</summary>
/// <remarks>Immutable once built; safe to read from several threads.</remarks>
internal sealed class NodeDelta : IEquatable<NodeDelta>
{
    /// <summary>Creates a node delta.</summary>
    /// <param name="chitchatId">The member the updates belong to.</param>
    /// <param name="lastGcVersion">The sender's last garbage-collected version for that member.</param>
    /// <param name="fromVersionExcluded">
    /// The delta holds every update with a version above this one (0: from scratch, possibly a reset).
    /// </param>
    /// <param name="maxVersion">
    /// The version of the last key-value, or the SetMaxVersion value when there is none, or 0.
    /// </param>
    /// <param name="keyValues">The updates in increasing version order.</param>
    public NodeDelta(
        ChitchatId chitchatId,
        ulong lastGcVersion,
        ulong fromVersionExcluded,
        ulong maxVersion,
        IReadOnlyList<KeyValueMutation> keyValues)
    {
        ArgumentNullException.ThrowIfNull(chitchatId);
        ArgumentNullException.ThrowIfNull(keyValues);
        ChitchatId = chitchatId;
        LastGcVersion = lastGcVersion;
        FromVersionExcluded = fromVersionExcluded;
        MaxVersion = maxVersion;
        KeyValues = keyValues;
    }

    /// <summary>Gets the member the updates belong to.</summary>
    public ChitchatId ChitchatId { get; }

    /// <summary>Gets the sender's last garbage-collected version for the member.</summary>
    public ulong LastGcVersion { get; }

    /// <summary>Gets the version after which this delta holds every update (0 = from scratch).</summary>
    public ulong FromVersionExcluded { get; }

    /// <summary>Gets the highest version this node delta brings the receiver to.</summary>
    public ulong MaxVersion { get; }

    /// <summary>Gets the key-value updates in increasing version order.</summary>
    public IReadOnlyList<KeyValueMutation> KeyValues { get; }

    /// <summary>Encoded length of the Node operation, tag included.</summary>
    internal static int NodeOpLength(ChitchatId id) => 1 + id.SerializedLength + 16;

    /// <summary>Encoded length of a SetMaxVersion operation, tag included.</summary>
    internal const int SetMaxVersionOpLength = 9;

    /// <inheritdoc />
    public bool Equals(NodeDelta? other) =>
        other is not null
        && ChitchatId.Equals(other.ChitchatId)
        && LastGcVersion == other.LastGcVersion
        && FromVersionExcluded == other.FromVersionExcluded
        && MaxVersion == other.MaxVersion
        && KeyValues.SequenceEqual(other.KeyValues);

    /// <inheritdoc />
    public override bool Equals(object? obj) => Equals(obj as NodeDelta);

    /// <inheritdoc />
    public override int GetHashCode() => HashCode.Combine(ChitchatId, FromVersionExcluded, MaxVersion);

    /// <inheritdoc />
    public override string ToString() =>
        $"{ChitchatId} (gc {LastGcVersion}, from {FromVersionExcluded}, max {MaxVersion}, {KeyValues.Count} kvs)";
}
