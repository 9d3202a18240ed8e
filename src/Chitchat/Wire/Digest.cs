namespace Chitchat.Wire;

/// <summary>
/// A Scuttlebutt digest: for every member the sender knows (except those it has scheduled for
/// deletion), its heartbeat, last garbage-collected version and max version.
/// </summary>
/// <remarks>
/// Entries are kept sorted by <see cref="ChitchatId"/>, which is the order Rust writes them in; adding
/// an id that is already present replaces its entry (as the Rust decoder does for duplicates).
/// Not thread-safe while being built; read-only use from several threads is safe.
/// </remarks>
public sealed class Digest : IEquatable<Digest>
{
    private readonly SortedList<ChitchatId, NodeDigest> _nodeDigests;
    private int _serializedLength = 2;

    /// <summary>Creates an empty digest.</summary>
    public Digest()
    {
        _nodeDigests = new SortedList<ChitchatId, NodeDigest>();
    }

    /// <summary>Creates an empty digest with room for <paramref name="capacity"/> entries.</summary>
    /// <param name="capacity">The expected number of entries.</param>
    public Digest(int capacity)
    {
        _nodeDigests = new SortedList<ChitchatId, NodeDigest>(capacity);
    }

    /// <summary>Gets the number of entries.</summary>
    public int Count => _nodeDigests.Count;

    /// <summary>Gets the entries in <see cref="ChitchatId"/> order.</summary>
    public IReadOnlyDictionary<ChitchatId, NodeDigest> NodeDigests => _nodeDigests;

    /// <summary>Gets the number of bytes the digest takes on the wire.</summary>
    public int SerializedLength => _serializedLength;

    /// <summary>Adds or replaces the entry for <paramref name="id"/>.</summary>
    /// <param name="id">The member.</param>
    /// <param name="heartbeat">Its heartbeat.</param>
    /// <param name="lastGcVersion">Its last garbage-collected version.</param>
    /// <param name="maxVersion">Its max version.</param>
    public void Add(ChitchatId id, ulong heartbeat, ulong lastGcVersion, ulong maxVersion)
    {
        ArgumentNullException.ThrowIfNull(id);
        var nodeDigest = new NodeDigest(heartbeat, lastGcVersion, maxVersion);
        var count = _nodeDigests.Count;

        // Fast path: entries usually arrive in order (built from a sorted map, or sent by a sorted encoder).
        if (count == 0 || _nodeDigests.Keys[count - 1].CompareTo(id) < 0)
        {
            _nodeDigests.Add(id, nodeDigest);
            _serializedLength += id.SerializedLength + NodeDigest.SerializedLength;
            return;
        }

        if (!_nodeDigests.ContainsKey(id))
        {
            _serializedLength += id.SerializedLength + NodeDigest.SerializedLength;
        }

        _nodeDigests[id] = nodeDigest;
    }

    /// <summary>Looks up the entry of <paramref name="id"/>.</summary>
    /// <param name="id">The member.</param>
    /// <param name="nodeDigest">The entry when found.</param>
    /// <returns>Whether the digest has an entry for the member.</returns>
    public bool TryGetValue(ChitchatId id, out NodeDigest nodeDigest) => _nodeDigests.TryGetValue(id, out nodeDigest);

    internal void Write(ref WireWriter writer)
    {
        if (_nodeDigests.Count > ushort.MaxValue)
        {
            throw new InvalidOperationException(
                $"A digest of {_nodeDigests.Count} entries cannot be encoded: at most {ushort.MaxValue}.");
        }

        writer.WriteU16((ushort)_nodeDigests.Count);
        var keys = _nodeDigests.Keys;
        var values = _nodeDigests.Values;
        for (var i = 0; i < keys.Count; i++)
        {
            writer.WriteChitchatId(keys[i]);
            var nodeDigest = values[i];
            writer.WriteU64(nodeDigest.Heartbeat);
            writer.WriteU64(nodeDigest.LastGcVersion);
            writer.WriteU64(nodeDigest.MaxVersion);
        }
    }

    internal static bool TryRead(ref WireReader reader, out Digest digest)
    {
        digest = null!;
        if (!reader.TryReadU16(out var count))
        {
            return false;
        }

        // Each entry takes at least 2 + 8 + 7 + 24 bytes: never pre-allocate more than the datagram can hold.
        const int MinimumEntryLength = 41;
        var result = new Digest(Math.Min(count, reader.Remaining / MinimumEntryLength));
        for (var i = 0; i < count; i++)
        {
            if (!reader.TryReadChitchatId(out var id)
                || !reader.TryReadU64(out var heartbeat)
                || !reader.TryReadU64(out var lastGcVersion)
                || !reader.TryReadU64(out var maxVersion))
            {
                return false;
            }

            result.Add(id, heartbeat, lastGcVersion, maxVersion);
        }

        digest = result;
        return true;
    }

    /// <inheritdoc />
    public bool Equals(Digest? other)
    {
        if (other is null || other.Count != Count)
        {
            return false;
        }

        for (var i = 0; i < Count; i++)
        {
            if (!_nodeDigests.Keys[i].Equals(other._nodeDigests.Keys[i])
                || _nodeDigests.Values[i] != other._nodeDigests.Values[i])
            {
                return false;
            }
        }

        return true;
    }

    /// <inheritdoc />
    public override bool Equals(object? obj) => Equals(obj as Digest);

    /// <inheritdoc />
    public override int GetHashCode() => Count;
}
