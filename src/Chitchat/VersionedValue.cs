namespace Chitchat;

/// <summary>A value stored in a node state, with its version and deletion status.</summary>
/// <remarks>
/// <para>
/// A value is in one of three states (chitchat's <c>DeletionStatus</c>): set (an ordinary, visible value),
/// scheduled for deletion with a TTL (<see cref="IsScheduledForDeletion"/>: still visible, garbage-collected
/// after the grace period), or deleted (<see cref="IsDeleted"/>: a tombstone, hidden from readers and
/// garbage-collected after the grace period).
/// </para>
/// <para>Immutable; safe to share between threads. Values are created by the node, never by callers.</para>
/// </remarks>
[System.Text.Json.Serialization.JsonConverter(typeof(Json.VersionedValueJsonConverter))]
public sealed class VersionedValue : IEquatable<VersionedValue>
{
    /// <summary>Creates a value.</summary>
    /// <param name="value">The value (empty for a tombstone).</param>
    /// <param name="version">The version, unique within the owner node.</param>
    /// <param name="status">The deletion status.</param>
    /// <param name="statusChangeTimestamp">
    /// For <see cref="DeletionStatus.Deleted"/> and <see cref="DeletionStatus.DeleteAfterTtl"/>, the local
    /// <see cref="TimeProvider.GetTimestamp"/> reading at which the deletion was scheduled; ignored for
    /// <see cref="DeletionStatus.Set"/>.
    /// </param>
    internal VersionedValue(string value, ulong version, DeletionStatus status, long statusChangeTimestamp = 0)
    {
        ArgumentNullException.ThrowIfNull(value);
        Value = value;
        Version = version;
        Status = status;
        StatusChangeTimestamp = status == DeletionStatus.Set ? 0 : statusChangeTimestamp;
    }

    /// <summary>Gets the value.</summary>
    public string Value { get; }

    /// <summary>Gets the version.</summary>
    public ulong Version { get; }

    /// <summary>Gets the deletion status.</summary>
    internal DeletionStatus Status { get; }

    /// <summary>
    /// Gets the local monotonic timestamp (<see cref="TimeProvider.GetTimestamp"/>) at which the value was
    /// scheduled for deletion, or 0 for a <see cref="DeletionStatus.Set"/> value. Never transmitted.
    /// </summary>
    internal long StatusChangeTimestamp { get; }

    /// <summary>Gets whether this is a tombstone (hidden from readers).</summary>
    public bool IsDeleted => Status == DeletionStatus.Deleted;

    /// <summary>Gets whether the value is visible but scheduled for deletion (a TTL), garbage-collected after the grace period.</summary>
    public bool IsScheduledForDeletion => Status == DeletionStatus.DeleteAfterTtl;

    /// <summary>
    /// Gets the local monotonic timestamp (<see cref="TimeProvider.GetTimestamp"/> of the node's clock) at which the
    /// value was deleted or scheduled for deletion, or <see langword="null"/> for an ordinary value. Never transmitted.
    /// </summary>
    public long? TimeOfStartScheduledForDeletion =>
        Status == DeletionStatus.Set ? null : StatusChangeTimestamp;

    /// <inheritdoc />
    public bool Equals(VersionedValue? other) =>
        other is not null
        && Version == other.Version
        && Status == other.Status
        && StatusChangeTimestamp == other.StatusChangeTimestamp
        && string.Equals(Value, other.Value, StringComparison.Ordinal);

    /// <inheritdoc />
    public override bool Equals(object? obj) => Equals(obj as VersionedValue);

    /// <inheritdoc />
    public override int GetHashCode() => HashCode.Combine(Value, Version, Status);

    /// <inheritdoc />
    public override string ToString() => $"{Value}@{Version}({Status})";
}
