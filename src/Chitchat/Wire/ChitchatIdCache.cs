namespace Chitchat.Wire;

/// <summary>
/// Remembers recently decoded <see cref="ChitchatId"/> instances, so that decoding the same id again (every
/// digest entry of every Syn and SynAck, every node operation of a delta) allocates nothing.
/// </summary>
/// <remarks>
/// <para>
/// Decoding an id is a pure function of its fields (UTF-8 node id, generation, address octets, port), so
/// returning an instance decoded earlier from equal fields gives an equal id; only object identity differs
/// from a fresh decode, which nothing relies on. A side benefit: node states created from decoded ids are
/// then found by reference equality. IPv4-mapped IPv6 encodings, which decode to IPv4, are not cached.
/// </para>
/// <para>
/// Memory is bounded whatever peers send: <see cref="SetCount"/> sets of <see cref="Ways"/> slots (a slot is
/// one reference; the most recent id first, the least recent evicted), and ids whose encoding exceeds
/// <see cref="MaxEncodedLength"/> bytes are never cached. The slots take 128 KB; the ids they keep alive are
/// normally the ones the cluster state holds anyway, and at worst (a peer sending random ids) about 10 MB.
/// An id misses when its set holds 4 others (the set of 5 keeps evicting): with 1,000 members that is
/// almost never, with 2,000 members 0.1 % of the ids, with 5,000 about 4 % (with 1,024 sets it was 2 %, 13 % and
/// 72 %: each miss allocates an id, and the replicas created from it keep their own copy). The set is chosen by
/// <see cref="HashCode"/>, randomly seeded per process, so a peer cannot aim collisions; a collision only
/// costs a miss.
/// </para>
/// <para>
/// Thread-safe without locks: ids are immutable and a slot is a single reference, so a racing reader sees
/// some id and compares every field before using it.
/// </para>
/// </remarks>
internal static class ChitchatIdCache
{
    /// <summary>The longest encoding cached: 128 bytes covers a 99-byte node id with an IPv6 address.</summary>
    public const int MaxEncodedLength = 128;

    /// <summary>The number of sets (a power of two).</summary>
    public const int SetCount = 4096;

    /// <summary>The number of slots per set.</summary>
    public const int Ways = 4;

    private static readonly ChitchatId?[] s_slots = new ChitchatId?[SetCount * Ways];

    /// <summary>Looks up an id equal to the one encoded by these fields.</summary>
    /// <param name="encoded">The whole encoding of the id (hashed), at most <see cref="MaxEncodedLength"/> bytes.</param>
    /// <param name="nodeIdUtf8">The node id bytes.</param>
    /// <param name="generation">The generation.</param>
    /// <param name="address">The address octets (4 or 16).</param>
    /// <param name="port">The port.</param>
    /// <param name="set">Receives the set to pass to <see cref="Add"/> on a miss.</param>
    /// <param name="id">The cached id on a hit.</param>
    /// <returns>Whether an equal id was cached.</returns>
    public static bool TryGet(
        ReadOnlySpan<byte> encoded,
        ReadOnlySpan<byte> nodeIdUtf8,
        ulong generation,
        ReadOnlySpan<byte> address,
        int port,
        out int set,
        [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out ChitchatId? id)
    {
        var hashCode = default(HashCode);
        hashCode.AddBytes(encoded);
        set = (hashCode.ToHashCode() & (SetCount - 1)) * Ways;
        var slots = s_slots.AsSpan(set, Ways);
        foreach (var candidate in slots)
        {
            if (candidate is not null
                && candidate.GenerationId == generation
                && candidate.GossipAdvertiseAddr.Port == port
                && candidate.NodeIdUtf8.SequenceEqual(nodeIdUtf8)
                && candidate.AddressBytes.SequenceEqual(address))
            {
                id = candidate;
                return true;
            }
        }

        id = null;
        return false;
    }

    /// <summary>Caches <paramref name="id"/> as the most recent entry of <paramref name="set"/>.</summary>
    /// <param name="set">The set <see cref="TryGet"/> returned for the id's encoding.</param>
    /// <param name="id">The decoded id.</param>
    public static void Add(int set, ChitchatId id)
    {
        var slots = s_slots.AsSpan(set, Ways);
        slots[..^1].CopyTo(slots[1..]);
        slots[0] = id;
    }
}
