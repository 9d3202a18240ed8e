namespace Chitchat.Wire;

/// <summary>
/// A Scuttlebutt digest: for every member the sender knows (except those it has scheduled for
/// deletion), its heartbeat, last garbage-collected version and max version.
/// </summary>
/// <remarks>
/// <para>
/// Entries are kept sorted by <see cref="ChitchatId"/>, which is the order Rust writes them in; adding
/// an id that is already present replaces its entry (as the Rust decoder does for duplicates).
/// </para>
/// <para>
/// The encoding depends on the protocol version: <see cref="ProtocolVersion.V0"/> writes an entry count and
/// the entries; <see cref="ProtocolVersion.V1"/> writes the same entries without a count, as a zstd block
/// stream. The V1 bytes are computed once, on first use, and kept until the digest changes.
/// </para>
/// <para>Not thread-safe while being built; read-only use from several threads is safe.</para>
/// </remarks>
internal sealed class Digest : IEquatable<Digest>
{
    // Parallel arrays sorted by id: the encoder and the delta computation walk them in order, and an id that
    // sorts after the last one (the usual case) is appended without a search.
    private ChitchatId[] _ids;
    private NodeDigest[] _nodeDigests;
    private int _count;
    private int _serializedLength = 2;
    private byte[]? _encodedV1;
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

    /// <summary>Gets the number of bytes the digest takes on the wire in protocol version 0.</summary>
    public int SerializedLength => _serializedLength;

    /// <summary>Gets the number of bytes of the entries, without any framing (the V1 content).</summary>
    internal int EntriesLength => _serializedLength - 2;

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
        _encodedV1 = null;
    }

    /// <summary>Gets the number of bytes the digest takes on the wire in <paramref name="version"/>.</summary>
    /// <param name="version">The protocol version of the message that carries the digest.</param>
    /// <returns>The encoded length. For <see cref="ProtocolVersion.V1"/> this compresses the digest (once).</returns>
    public int GetSerializedLength(ProtocolVersion version) =>
        version == ProtocolVersion.V0 ? _serializedLength : EncodedV1.Length;

    /// <summary>Sets the V1 bytes of a digest built in another order than the id order (a partial digest).</summary>
    internal void SetEncodedV1(byte[] encoded) => _encodedV1 = encoded;

    /// <summary>The V1 encoding: the entries as a block stream with a fixed 16,384-byte threshold.</summary>
    private byte[] EncodedV1 => _encodedV1 ??= EncodeV1();

    internal void Write(ref WireWriter writer, ProtocolVersion version)
    {
        if (version == ProtocolVersion.V0)
        {
            Write(ref writer);
        }
        else
        {
            writer.WriteBytes(EncodedV1);
        }
    }

    private byte[] EncodeV1()
    {
        // As Rust: the id and the 24-byte node digest are appended as two items. Blocks are cut only at multiples
        // of the threshold, so this gives the same bytes as one item per entry.
        using var stream = new CompressedStreamWriter(WireFormat.BlockThreshold);
        for (var i = 0; i < _count; i++)
        {
            var id = _ids[i];
            var idWriter = new WireWriter(stream.GetItemSpan(id.SerializedLength));
            idWriter.WriteChitchatId(id);
            stream.CommitItem(id.SerializedLength);
            var nodeDigest = _nodeDigests[i];
            var digestWriter = new WireWriter(stream.GetItemSpan(NodeDigest.SerializedLength));
            digestWriter.WriteU64(nodeDigest.Heartbeat);
            digestWriter.WriteU64(nodeDigest.LastGcVersion);
            digestWriter.WriteU64(nodeDigest.MaxVersion);
            stream.CommitItem(NodeDigest.SerializedLength);
        }

        return stream.Finish();
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

    /// <summary>
    /// Decodes a digest in <paramref name="version"/>. A V1 digest's decompressed content counts against
    /// <paramref name="decompressionBudget"/>, the bytes one datagram may still expand to.
    /// </summary>
    internal static bool TryRead(ref WireReader reader, ProtocolVersion version, ref int decompressionBudget, out Digest digest, out DecodeError error)
    {
        if (version == ProtocolVersion.V0)
        {
            var read = TryRead(ref reader, out digest);
            error = read ? default : reader.Error;
            return read;
        }

        digest = null!;
        if (!BlockStream.TryDecode(ref reader, decompressionBudget, out var content, out var contentLength, out error))
        {
            return false;
        }

        decompressionBudget -= contentLength;
        try
        {
            // Entries until the content is exhausted: there is no count. Never pre-allocate more entries than
            // the content can hold.
            var entries = new WireReader(content.AsSpan(0, contentLength));
            var result = new Digest(Math.Min(contentLength / MinimumEntryLength, 1024));
            while (!entries.IsEmpty)
            {
                if (!entries.TryReadChitchatId(out var id)
                    || !entries.TryReadU64(out var heartbeat)
                    || !entries.TryReadU64(out var lastGcVersion)
                    || !entries.TryReadU64(out var maxVersion))
                {
                    error = entries.Error;
                    return false;
                }

                result.Add(id, heartbeat, lastGcVersion, maxVersion);
            }

            digest = result;
            return true;
        }
        finally
        {
            BlockStream.Pool.Return(content);
        }
    }

    internal static bool TryRead(ref WireReader reader, out Digest digest)
    {
        digest = null!;
        if (!reader.TryReadU16(out var count))
        {
            return false;
        }

        // Never pre-allocate more than the datagram can hold.
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

    // Each entry takes at least 2 + 8 + 7 + 24 bytes.
    private const int MinimumEntryLength = 41;

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
