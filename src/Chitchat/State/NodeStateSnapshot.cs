using System.Collections.Immutable;
using System.Diagnostics.CodeAnalysis;
using System.Text.Json.Serialization;
using Chitchat.Json;

namespace Chitchat.State;

/// <summary>
/// An immutable copy of one member's versioned key-value state, as the local node knew it at one moment:
/// its own state for the local node, a replica for every other member.
/// </summary>
/// <remarks>
/// <para>
/// A snapshot never changes and never reaches back into the node: reading it needs no lock, and holding
/// it does not keep the node from gossiping. Ask the node (<see cref="ChitchatRef"/>) for a new one to see
/// later changes, or follow them with <see cref="ChitchatRef.WatchChangesAsync"/>.
/// </para>
/// <para>
/// Keys are ordered by the bytes of their UTF-8 encoding, the order the wire format and Rust chitchat use.
/// Deleted keys stay as tombstones (<see cref="DeletionStatus.Deleted"/>) until they are garbage-collected:
/// <see cref="TryGetValue"/>, <see cref="Count"/> and <see cref="GetKeyValues"/> hide them,
/// <see cref="KeyValuesIncludingDeleted"/> shows them.
/// </para>
/// <para>
/// Cheap to take: the node keeps the last snapshot of each member and builds a new one only for members
/// that changed, so two cluster snapshots share the node snapshots of every unchanged member.
/// </para>
/// <para>Thread-safe: immutable.</para>
/// </remarks>
[JsonConverter(typeof(NodeStateSnapshotJsonConverter))]
public sealed class NodeStateSnapshot
{
    private readonly ImmutableArray<KeyValuePair<string, VersionedValue>> _entries;
    private readonly int _visibleCount;

    internal NodeStateSnapshot(
        ChitchatId chitchatId,
        ulong heartbeat,
        ulong maxVersion,
        ulong lastGcVersion,
        ImmutableArray<KeyValuePair<string, VersionedValue>> entries,
        int visibleCount)
    {
        ChitchatId = chitchatId;
        Heartbeat = heartbeat;
        MaxVersion = maxVersion;
        LastGcVersion = lastGcVersion;
        _entries = entries;
        _visibleCount = visibleCount;
    }

    /// <summary>Gets the member this state belongs to.</summary>
    public ChitchatId ChitchatId { get; }

    /// <summary>Gets the member's heartbeat counter, as last seen locally.</summary>
    public ulong Heartbeat { get; }

    /// <summary>Gets the highest version of the member's state known locally.</summary>
    public ulong MaxVersion { get; }

    /// <summary>Gets the highest version of a deleted entry that was garbage-collected.</summary>
    public ulong LastGcVersion { get; }

    /// <summary>Gets the number of visible (not deleted) keys.</summary>
    public int Count => _visibleCount;

    /// <summary>Gets every stored entry, tombstones included, in key order (UTF-8 bytes).</summary>
    public IReadOnlyList<KeyValuePair<string, VersionedValue>> KeyValuesIncludingDeleted => _entries;

    internal ImmutableArray<KeyValuePair<string, VersionedValue>> Entries => _entries;

    /// <summary>Gets the value of a visible key.</summary>
    /// <param name="key">The key.</param>
    /// <param name="value">The value, or <see langword="null"/> if the key is absent or deleted.</param>
    /// <returns>Whether the key has a visible value (keys scheduled with a TTL are still visible).</returns>
    public bool TryGetValue(string key, [NotNullWhen(true)] out string? value)
    {
        if (TryGetVersionedValue(key, out var entry) && !entry.IsDeleted)
        {
            value = entry.Value;
            return true;
        }

        value = null;
        return false;
    }

    /// <summary>Gets the stored entry of a key, tombstones included.</summary>
    /// <param name="key">The key.</param>
    /// <param name="value">The entry, or <see langword="null"/>.</param>
    /// <returns>Whether an entry is stored for the key.</returns>
    public bool TryGetVersionedValue(string key, [NotNullWhen(true)] out VersionedValue? value)
    {
        ArgumentNullException.ThrowIfNull(key);
        int low = 0, high = _entries.Length - 1;
        while (low <= high)
        {
            var middle = low + ((high - low) >> 1);
            var comparison = Utf8Ordinal.CompareSpans(_entries[middle].Key, key);
            if (comparison == 0)
            {
                value = _entries[middle].Value;
                return true;
            }

            if (comparison < 0)
            {
                low = middle + 1;
            }
            else
            {
                high = middle - 1;
            }
        }

        value = null;
        return false;
    }

    /// <summary>Returns whether <paramref name="key"/> has a visible value.</summary>
    /// <param name="key">The key.</param>
    /// <returns>Whether <see cref="TryGetValue"/> would find a value.</returns>
    public bool ContainsKey(string key) => TryGetValue(key, out _);

    /// <summary>Returns the visible entries whose key starts with <paramref name="prefix"/>, in key order.</summary>
    /// <param name="prefix">The key prefix (ordinal); the empty string returns every visible entry.</param>
    /// <returns>A new list; the keys are not stripped of the prefix.</returns>
    public IReadOnlyList<KeyValuePair<string, VersionedValue>> GetKeyValues(string prefix = "")
    {
        ArgumentNullException.ThrowIfNull(prefix);
        var result = new List<KeyValuePair<string, VersionedValue>>(prefix.Length == 0 ? _visibleCount : 4);
        foreach (var pair in _entries)
        {
            if (!pair.Value.IsDeleted && pair.Key.StartsWith(prefix, StringComparison.Ordinal))
            {
                result.Add(pair);
            }
        }

        return result.AsReadOnly();
    }

    /// <inheritdoc />
    public override string ToString() =>
        $"NodeState({ChitchatId}, heartbeat {Heartbeat}, max {MaxVersion}, gc {LastGcVersion}, {_entries.Length} entries)";
}
