using System.Text.Json.Serialization;

namespace Chitchat.Changes;

/// <summary>One change of the cluster as seen by the local node, delivered by <see cref="ChitchatRef.WatchChangesAsync"/>.</summary>
/// <remarks>
/// <para>
/// Key changes (<see cref="ClusterChangeKind.KeySet"/>, <see cref="ClusterChangeKind.KeyDeleted"/>,
/// <see cref="ClusterChangeKind.KeyExpired"/>) carry the full key, the value (the previous value for a
/// deletion or an expiry) and the version of the entry. Member changes carry the member and its max version
/// at the time; their <see cref="Key"/> and <see cref="Value"/> are <see langword="null"/>.
/// </para>
/// <para>Immutable; safe to share between threads. Serializes with System.Text.Json.</para>
/// </remarks>
/// <param name="Kind">What changed.</param>
/// <param name="Node">The member the change is about (the local node for <see cref="ClusterChangeKind.Overflow"/>).</param>
/// <param name="Version">The version of the key-value entry, or the member's max version for a member change.</param>
/// <param name="Key">The key, for key changes.</param>
/// <param name="Value">The value, for key changes.</param>
public sealed record ClusterChange(
    [property: JsonPropertyName("kind")] ClusterChangeKind Kind,
    [property: JsonPropertyName("node")] ChitchatId Node,
    [property: JsonPropertyName("version")] ulong Version,
    [property: JsonPropertyName("key")] string? Key = null,
    [property: JsonPropertyName("value")] string? Value = null)
{
    /// <summary>Gets the number of changes dropped at this point, for <see cref="ClusterChangeKind.Overflow"/>; otherwise 0.</summary>
    [JsonPropertyName("dropped_count")]
    public long DroppedCount { get; init; }
}
