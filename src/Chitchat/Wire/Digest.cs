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
    // Parallel arrays sorted by id: the encoder and the delta computation walk them in order, and an id that
    // sorts after the last one (the usual case) is appended without a search.
    private ChitchatId[] _ids;
    private NodeDigest[] _nodeDigests;
    private int _count;
    private int _serializedLength = 2;
    private View? _view;

    /// <summary>Creates an empty digest.</summary>
    public Digest()
        : this(0)
    {
    }

    /// <summary>Creates an empty digest with room for <paramref name="capacity"/> entries.</summary>
    /// <param name="capacity">The expected number of entries.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="capacity"/> is negative.</exception>
    public Digest(int capacity)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(capacity);
        _ids = capacity == 0 ? [] : new ChitchatId[capacity];
        _nodeDigests = capacity == 0 ? [] : new NodeDigest[capacity];
    }

    /// <summary>Gets the number of entries.</summary>
    public int Count => _count;

    /// <summary>Gets the entries in <see cref="ChitchatId"/> order.</summary>
    public IReadOnlyDictionary<ChitchatId, NodeDigest> NodeDigests => _view ??= new View(this);

    /// <summary>Gets the number of bytes the digest takes on the wire.</summary>
    public int SerializedLength => _serializedLength;

    /// <summary>Gets the ids in order (parallel to <see cref="Entries"/>).</summary>
    internal ReadOnlySpan<ChitchatId> Ids => _ids.AsSpan(0, _count);

    /// <summary>Gets the entries in id order (parallel to <see cref="Ids"/>).</summary>
    internal ReadOnlySpan<NodeDigest> Entries => _nodeDigests.AsSpan(0, _count);

    /// <summary>Adds or replaces the entry for <paramref name="id"/>.</summary>
    /// <param name="id">The member.</param>
    /// <param name="heartbeat">Its heartbeat.</param>
    /// <param name="lastGcVersion">Its last garbage-collected version.</param>
    /// <param name="maxVersion">Its max version.</param>
    public void Add(ChitchatId id, ulong heartbeat, ulong lastGcVersion, ulong maxVersion)
    {
        ArgumentNullException.ThrowIfNull(id);
        var nodeDigest = new NodeDigest(heartbeat, lastGcVersion, maxVersion);

        // Fast path: entries usually arrive in order (built from a sorted map, or sent by a sorted encoder).
        var index = _count == 0 || _ids[_count - 1].CompareTo(id) < 0 ? ~_count : IndexOf(id);
        if (index >= 0)
        {
            _nodeDigests[index] = nodeDigest;
            return;
        }

        index = ~index;
        if (_count == _ids.Length)
        {
            var capacity = Math.Max(4, _ids.Length * 2);
            Array.Resize(ref _ids, capacity);
            Array.Resize(ref _nodeDigests, capacity);
        }

        if (index < _count)
        {
            Array.Copy(_ids, index, _ids, index + 1, _count - index);
            Array.Copy(_nodeDigests, index, _nodeDigests, index + 1, _count - index);
        }

        _ids[index] = id;
        _nodeDigests[index] = nodeDigest;
        _count++;
        _serializedLength += id.SerializedLength + NodeDigest.SerializedLength;
    }

    /// <summary>Looks up the entry of <paramref name="id"/>.</summary>
    /// <param name="id">The member.</param>
    /// <param name="nodeDigest">The entry when found.</param>
    /// <returns>Whether the digest has an entry for the member.</returns>
    public bool TryGetValue(ChitchatId id, out NodeDigest nodeDigest)
    {
        ArgumentNullException.ThrowIfNull(id);
        var index = IndexOf(id);
        nodeDigest = index >= 0 ? _nodeDigests[index] : default;
        return index >= 0;
    }

    internal void Write(ref WireWriter writer)
    {
        if (_count > ushort.MaxValue)
        {
            throw new InvalidOperationException(
                $"A digest of {_count} entries cannot be encoded: at most {ushort.MaxValue}.");
        }

        writer.WriteU16((ushort)_count);
        for (var i = 0; i < _count; i++)
        {
            writer.WriteChitchatId(_ids[i]);
            var nodeDigest = _nodeDigests[i];
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

        for (var i = 0; i < _count; i++)
        {
            if (!_ids[i].Equals(other._ids[i]) || _nodeDigests[i] != other._nodeDigests[i])
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

    // Binary search by id: the index if found, else the bitwise complement of the insertion point.
    private int IndexOf(ChitchatId id) => Array.BinarySearch(_ids, 0, _count, id);

    /// <summary>The read-only dictionary view of <see cref="NodeDigests"/>, in id order.</summary>
    private sealed class View(Digest digest) : IReadOnlyDictionary<ChitchatId, NodeDigest>
    {
        public int Count => digest._count;

        public IEnumerable<ChitchatId> Keys
        {
            get
            {
                for (var i = 0; i < digest._count; i++)
                {
                    yield return digest._ids[i];
                }
            }
        }

        public IEnumerable<NodeDigest> Values
        {
            get
            {
                for (var i = 0; i < digest._count; i++)
                {
                    yield return digest._nodeDigests[i];
                }
            }
        }

        public NodeDigest this[ChitchatId key] =>
            digest.TryGetValue(key, out var nodeDigest) ? nodeDigest : throw new KeyNotFoundException($"{key} is not in the digest.");

        public bool ContainsKey(ChitchatId key) => digest.TryGetValue(key, out _);

        public bool TryGetValue(ChitchatId key, out NodeDigest value) => digest.TryGetValue(key, out value);

        public IEnumerator<KeyValuePair<ChitchatId, NodeDigest>> GetEnumerator()
        {
            for (var i = 0; i < digest._count; i++)
            {
                yield return new KeyValuePair<ChitchatId, NodeDigest>(digest._ids[i], digest._nodeDigests[i]);
            }
        }

        System.Collections.IEnumerator System.Collections.IEnumerable.GetEnumerator() => GetEnumerator();
    }
}
