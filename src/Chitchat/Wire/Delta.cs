namespace Chitchat.Wire;

/// <summary>
/// The updates one node sends another: a list of <see cref="NodeDelta"/>, encoded as a stream of
/// operations cut into (possibly zstd-compressed) blocks.
/// </summary>
/// <remarks>
/// A delta built by the MTU-bounded builder keeps its encoded bytes, so sending it never encodes or
/// compresses twice. A decoded delta, or one built from node deltas, is encoded on first use with the
/// 16,384-byte block threshold, as the Rust crate does. Immutable; safe to share between threads.
/// </remarks>
internal sealed class Delta : IEquatable<Delta>
{
    private static readonly byte[] s_emptyEncoding = [0];
    private byte[]? _encoded;

    internal Delta(IReadOnlyList<NodeDelta> nodeDeltas, byte[]? encoded)
    {
        NodeDeltas = nodeDeltas;
        _encoded = encoded;
    }

    /// <summary>Gets the empty delta (encoded as the single byte <c>00</c>).</summary>
    public static Delta Empty { get; } = new([], s_emptyEncoding);

    /// <summary>Gets the node deltas in wire order.</summary>
    public IReadOnlyList<NodeDelta> NodeDeltas { get; }

    /// <summary>Gets the number of bytes this delta takes on the wire.</summary>
    public int SerializedLength => Encoded.Length;

    /// <summary>
    /// Gets the number of bytes consumed when this delta was decoded (0 when it was not decoded). Equal
    /// to <see cref="SerializedLength"/> unless the peer's zstd produced different compressed bytes.
    /// </summary>
    public int DecodedLength { get; private init; }

    internal ReadOnlySpan<byte> Encoded => _encoded ??= Encode(NodeDeltas);

    /// <summary>Creates a delta from node deltas (encoded lazily, without budget).</summary>
    /// <param name="nodeDeltas">The node deltas, in wire order.</param>
    /// <returns>The delta.</returns>
    public static Delta FromNodeDeltas(IReadOnlyList<NodeDelta> nodeDeltas)
    {
        ArgumentNullException.ThrowIfNull(nodeDeltas);
        return nodeDeltas.Count == 0 ? Empty : new Delta(nodeDeltas, null);
    }

    internal void Write(ref WireWriter writer) => writer.WriteBytes(Encoded);

    /// <summary>
    /// Encodes node deltas as Rust's <c>Delta::serialize</c> does for any delta built from state; a received delta
    /// whose SetMaxVersion operations came after key-values gets them back, so that it decodes equal.
    /// </summary>
    private static byte[] Encode(IReadOnlyList<NodeDelta> nodeDeltas)
    {
        if (nodeDeltas.Count == 0)
        {
            return s_emptyEncoding;
        }

        using var builder = DeltaBuilder.Unbounded();
        foreach (var nodeDelta in nodeDeltas)
        {
            builder.TryAddNode(nodeDelta.ChitchatId, nodeDelta.LastGcVersion, nodeDelta.FromVersionExcluded);

            // A delta built from state has increasing versions and a SetMaxVersion only when it has no key-values.
            // A received one may hold what decoders also accept: a SetMaxVersion after key-values (it sets the max
            // version, even lower), and so a key-value whose version does not exceed the previous one. Those are
            // written back with the SetMaxVersion that makes them decode, so that a decoded delta re-encodes to one
            // that decodes equal.
            var maxVersion = 0UL;
            foreach (var keyValue in nodeDelta.KeyValues)
            {
                if (keyValue.Version <= maxVersion && keyValue.Version > 0)
                {
                    builder.TrySetMaxVersion(keyValue.Version - 1);
                }

                // Without a budget only an op over 65,535 bytes is refused. Skipping it would send a delta with a
                // gap that the receiver takes as complete (silent data loss); Rust's writer panics instead.
                if (!builder.TryAddKeyValue(keyValue))
                {
                    throw new InvalidOperationException(
                        $"The key-value '{keyValue.Key}' v{keyValue.Version} of {nodeDelta.ChitchatId} encodes to " +
                        $"{keyValue.OpLength} bytes; a delta operation may not exceed {ushort.MaxValue}.");
                }

                maxVersion = keyValue.Version;
            }

            if (nodeDelta.MaxVersion != maxVersion)
            {
                builder.TrySetMaxVersion(nodeDelta.MaxVersion);
            }
        }

        return builder.Finish()._encoded!;
    }

    /// <summary>Decodes a block stream and its operations.</summary>
    internal static bool TryRead(ref WireReader reader, ref int decompressionBudget, out Delta delta, out DecodeError error)
    {
        delta = Empty;
        var start = reader.Position;
        if (!BlockStream.TryDecode(ref reader, decompressionBudget, out var data, out var dataLength, out error))
        {
            return false;
        }

        decompressionBudget -= dataLength;
        try
        {
            var consumed = reader.Position - start;
            if (!TryParseOps(data.AsSpan(0, dataLength), out var nodeDeltas, out error))
            {
                return false;
            }

            delta = nodeDeltas.Count == 0 && consumed == 1
                ? Empty
                : new Delta(nodeDeltas, null) { DecodedLength = consumed };
            return true;
        }
        finally
        {
            BlockStream.Pool.Return(data);
        }
    }

    private static bool TryParseOps(ReadOnlySpan<byte> ops, out List<NodeDelta> nodeDeltas, out DecodeError error)
    {
        nodeDeltas = [];
        error = default;
        var reader = new WireReader(ops);
        HashSet<ChitchatId>? seen = null;
        ChitchatId? currentId = null;
        ulong lastGc = 0, from = 0, maxVersion = 0;
        List<KeyValueMutation>? keyValues = null;

        while (!reader.IsEmpty)
        {
            var opStart = reader.Position;
            reader.TryReadU8(out var tag);
            switch (tag)
            {
                case DeltaOps.NodeTag:
                    if (!reader.TryReadChitchatId(out var id)
                        || !reader.TryReadU64(out var opLastGc)
                        || !reader.TryReadU64(out var opFrom))
                    {
                        error = reader.Error;
                        return false;
                    }

                    if (currentId is not null)
                    {
                        nodeDeltas.Add(new NodeDelta(currentId, lastGc, from, maxVersion, (IReadOnlyList<KeyValueMutation>?)keyValues ?? []));
                    }

                    seen ??= [];
                    if (!seen.Add(id))
                    {
                        error = new DecodeError(DecodeErrorKind.DuplicateNode, opStart);
                        return false;
                    }

                    currentId = id;
                    lastGc = opLastGc;
                    from = opFrom;
                    maxVersion = 0;
                    keyValues = null;
                    break;

                case DeltaOps.KeyValueTag:
                    if (!reader.TryReadString(out var key)
                        || !reader.TryReadString(out var value)
                        || !reader.TryReadU64(out var version)
                        || !reader.TryReadU8(out var status))
                    {
                        error = reader.Error;
                        return false;
                    }

                    if (status > (byte)DeletionStatus.DeleteAfterTtl)
                    {
                        error = new DecodeError(DecodeErrorKind.InvalidDeletionStatus, reader.Position - 1);
                        return false;
                    }

                    if (currentId is null)
                    {
                        error = new DecodeError(DecodeErrorKind.OpWithoutNode, opStart);
                        return false;
                    }

                    if (version <= maxVersion)
                    {
                        error = new DecodeError(DecodeErrorKind.NonIncreasingVersion, opStart);
                        return false;
                    }

                    maxVersion = version;
                    (keyValues ??= []).Add(new KeyValueMutation(key, value, version, (DeletionStatus)status));
                    break;

                case DeltaOps.SetMaxVersionTag:
                    if (!reader.TryReadU64(out var setMax))
                    {
                        error = reader.Error;
                        return false;
                    }

                    if (currentId is null)
                    {
                        error = new DecodeError(DecodeErrorKind.OpWithoutNode, opStart);
                        return false;
                    }

                    maxVersion = setMax;
                    break;

                default:
                    error = new DecodeError(DecodeErrorKind.InvalidOpTag, opStart);
                    return false;
            }
        }

        if (currentId is not null)
        {
            nodeDeltas.Add(new NodeDelta(currentId, lastGc, from, maxVersion, (IReadOnlyList<KeyValueMutation>?)keyValues ?? []));
        }

        return true;
    }

    /// <inheritdoc />
    public bool Equals(Delta? other) => other is not null && NodeDeltas.SequenceEqual(other.NodeDeltas);

    /// <inheritdoc />
    public override bool Equals(object? obj) => Equals(obj as Delta);

    /// <inheritdoc />
    public override int GetHashCode() => NodeDeltas.Count;
}
