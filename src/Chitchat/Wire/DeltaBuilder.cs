namespace Chitchat.Wire;

/// <summary>
/// Builds a delta under a byte budget: every operation is admitted only if the finished, framed delta
/// is guaranteed to stay within the budget; the bytes are produced as operations are admitted.
/// </summary>
/// <remarks>
/// Port of chitchat <c>delta.rs</c> <c>DeltaSerializer</c>. The admission rule is
/// <see cref="CompressedStreamWriter.SerializedLengthUpperBoundAfter"/> ≤ MTU, with a block threshold
/// of min(16,384, MTU), so a .NET sender truncates at exactly the same operation as a Rust sender.
/// Not thread-safe; one builder per delta.
/// </remarks>
internal sealed class DeltaBuilder : IDisposable
{
    private readonly int _mtu;
    private readonly CompressedStreamWriter _writer;
    private readonly List<NodeDelta> _nodeDeltas = [];
    private readonly bool _validate;
    private readonly long _maxContentLength;
    private readonly HashSet<ChitchatId> _nodeIds = [];
    private ChitchatId? _currentId;
    private ulong _currentLastGcVersion;
    private ulong _currentFromVersion;
    private ulong _currentMaxVersion;
    private List<KeyValueMutation>? _currentKeyValues;
    private int _currentKeyValueCountHint;
    private bool _finished;

    /// <summary>Creates a builder for a budget of <paramref name="mtu"/> bytes.</summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="mtu"/> is below 100.</exception>
    public DeltaBuilder(int mtu)
        : this(mtu, BlockThresholdFor(mtu), validate: true, MaxContentLength)
    {
    }

    private DeltaBuilder(int mtu, int threshold, bool validate, long maxContentLength)
    {
        _mtu = mtu;
        _maxContentLength = maxContentLength;
        _writer = new CompressedStreamWriter(threshold);
        _validate = validate;
    }

    /// <summary>
    /// A builder without budget, used to re-encode an existing delta as Rust's <c>Delta::serialize</c> does.
    /// It does not validate versions or node ids: a decoded delta may legally hold versions that do not
    /// increase (the decoder, like Rust's, lets a SetMaxVersion op lower the max version), and re-encoding such
    /// a received message writes its ops as they are, as Rust does, instead of throwing.
    /// </summary>
    public static DeltaBuilder Unbounded() => new(int.MaxValue, WireFormat.BlockThreshold, validate: false, long.MaxValue);

    /// <summary>Starts the node delta of <paramref name="id"/>, if its Node operation fits.</summary>
    /// <param name="id">The node.</param>
    /// <param name="lastGcVersion">The sender's last garbage-collected version for the node.</param>
    /// <param name="fromVersionExcluded">The version after which the node delta holds every update.</param>
    /// <param name="keyValueCountHint">
    /// How many key-values the caller means to offer for this node (sizes the node delta's list once; at most
    /// <see cref="MaxKeyValueCountHint"/> is used), or 0 when unknown.
    /// </param>
    public bool TryAddNode(ChitchatId id, ulong lastGcVersion, ulong fromVersionExcluded, int keyValueCountHint = 0)
    {
        // A receiver rejects a delta naming a node twice (Rust's serializer asserts the same).
        if (_validate && _nodeIds.Contains(id))
        {
            throw new InvalidOperationException($"Node {id} is already in this delta.");
        }

        var length = NodeDelta.NodeOpLength(id);
        if (!Admits(length))
        {
            return false;
        }

        if (_validate)
        {
            _nodeIds.Add(id);
        }

        DeltaOps.WriteNode(_writer.GetItemSpan(length), id, lastGcVersion, fromVersionExcluded);
        _writer.CommitItem(length);
        CloseCurrentNode();
        _currentId = id;
        _currentLastGcVersion = lastGcVersion;
        _currentFromVersion = fromVersionExcluded;
        _currentMaxVersion = 0;
        _currentKeyValues = null;
        _currentKeyValueCountHint = Math.Clamp(keyValueCountHint, 0, MaxKeyValueCountHint);
        return true;
    }

    /// <summary>
    /// The most content bytes (before compression) a budgeted delta holds: half of
    /// <see cref="MessageCodec.MaxDecompressedLength"/>, so that any receiver of ours accepts it, even with a V1
    /// digest in the same datagram. Only content compressing more than 16 to 1 reaches it before the MTU does;
    /// below it the builder cuts at exactly the operation a Rust sender cuts at.
    /// </summary>
    public const int MaxContentLength = MessageCodec.MaxDecompressedLength / 2;

    /// <summary>The largest list capacity a hint can request: a wrong hint wastes at most 2 KB.</summary>
    public const int MaxKeyValueCountHint = 256;

    public bool TryAddKeyValue(string key, string value, ulong version, DeletionStatus status)
    {
        if (_currentId is null)
        {
            throw new InvalidOperationException("A key-value operation needs a node operation first.");
        }

        // A receiver rejects versions that do not strictly increase (incl. 0); Rust's serializer asserts the same.
        if (_validate && version <= _currentMaxVersion)
        {
            throw new InvalidOperationException(
                $"Key-value version {version} must be greater than the node delta's max version {_currentMaxVersion}.");
        }

        var length = KeyValueMutation.OpLengthOf(key, value);
        if (length > ushort.MaxValue)
        {
            // An operation this large cannot be framed by any chitchat node: never admit it.
            return false;
        }

        if (!Admits(length))
        {
            return false;
        }

        DeltaOps.WriteKeyValue(_writer.GetItemSpan(length), key, value, version, status);
        _writer.CommitItem(length);
        (_currentKeyValues ??= new List<KeyValueMutation>(_currentKeyValueCountHint)).Add(new KeyValueMutation(key, value, version, status));
        _currentMaxVersion = version;
        return true;
    }

    public bool TryAddKeyValue(KeyValueMutation mutation) =>
        TryAddKeyValue(mutation.Key, mutation.Value, mutation.Version, mutation.Status);

    public bool TrySetMaxVersion(ulong maxVersion)
    {
        if (_currentId is null)
        {
            throw new InvalidOperationException("A set-max-version operation needs a node operation first.");
        }

        if (!Admits(NodeDelta.SetMaxVersionOpLength))
        {
            return false;
        }

        DeltaOps.WriteSetMaxVersion(_writer.GetItemSpan(NodeDelta.SetMaxVersionOpLength), maxVersion);
        _writer.CommitItem(NodeDelta.SetMaxVersionOpLength);
        _currentMaxVersion = maxVersion;
        return true;
    }

    /// <summary>Finishes the stream and returns the delta with its encoded bytes.</summary>
    public Delta Finish()
    {
        ObjectDisposedException.ThrowIf(_finished, this);
        CloseCurrentNode();
        _finished = true;
        var encoded = _writer.Finish();
        return new Delta(_nodeDeltas, encoded);
    }

    public void Dispose()
    {
        if (!_finished)
        {
            _finished = true;
            _writer.Dispose();
        }
    }

    // Validates before the chained constructor rents the writer's buffers (and reports the right parameter).
    private static int BlockThresholdFor(int mtu)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(mtu, WireFormat.MinimumDeltaMtu);
        return Math.Min(WireFormat.BlockThreshold, mtu);
    }

    private bool Admits(int opLength) =>
        _writer.SerializedLengthUpperBoundAfter(opLength) <= _mtu
        && _writer.ContentLength + opLength <= _maxContentLength;

    private void CloseCurrentNode()
    {
        if (_currentId is null)
        {
            return;
        }

        _nodeDeltas.Add(new NodeDelta(
            _currentId,
            _currentLastGcVersion,
            _currentFromVersion,
            _currentMaxVersion,
            (IReadOnlyList<KeyValueMutation>?)_currentKeyValues ?? []));
        _currentId = null;
        _currentKeyValues = null;
    }
}
