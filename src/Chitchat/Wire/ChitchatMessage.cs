using System.Buffers;

namespace Chitchat.Wire;

/// <summary>
/// A chitchat protocol message: the three steps of the Scuttlebutt handshake and the wrong-cluster reply.
/// One message travels as one UDP datagram.
/// </summary>
/// <remarks>
/// Each message carries the <see cref="ProtocolVersion"/> it is encoded in (only the digest encoding depends on
/// it). Messages are immutable once built; safe to share between threads.
/// </remarks>
public abstract class ChitchatMessage : IEquatable<ChitchatMessage>
{
    private protected ChitchatMessage(ProtocolVersion version)
    {
        if (version is not (ProtocolVersion.V0 or ProtocolVersion.V1))
        {
            throw new ArgumentOutOfRangeException(nameof(version), version, "Unknown protocol version.");
        }

        Version = version;
    }

    /// <summary>Gets the wire code of the message type.</summary>
    internal abstract MessageType Type { get; }

    /// <summary>Gets the protocol version the message is encoded in (the third byte of the datagram).</summary>
    public ProtocolVersion Version { get; }

    /// <summary>Gets the number of bytes the message takes on the wire, header included.</summary>
    /// <remarks>For a V1 Syn or SynAck this compresses the digest the first time (the bytes are kept for sending).</remarks>
    public int SerializedLength => Math.Max(UnpaddedLength, PaddedLength);

    /// <summary>Gets the length of the message itself, without the zero bytes of <see cref="PaddedLength"/>.</summary>
    internal int UnpaddedLength => WireFormat.HeaderLength + BodyLength;

    /// <summary>
    /// Gets the length the datagram is padded to with zero bytes after the message (0: no padding). Decoders,
    /// Rust's included, ignore bytes after a complete message; a responder that limits replies to unverified
    /// sources to the request's length then has room to answer with its digest.
    /// </summary>
    internal int PaddedLength { get; private protected init; }

    private protected abstract int BodyLength { get; }

    /// <summary>Encodes the message into <paramref name="destination"/>.</summary>
    /// <param name="destination">A span of at least <see cref="SerializedLength"/> bytes.</param>
    /// <returns>The number of bytes written.</returns>
    /// <exception cref="ArgumentException">The span is too small.</exception>
    public int Serialize(Span<byte> destination)
    {
        var length = SerializedLength;
        if (destination.Length < length)
        {
            throw new ArgumentException(
                $"The destination has {destination.Length} bytes; the message needs {length}.", nameof(destination));
        }

        var writer = new WireWriter(destination);
        writer.WriteU16(WireFormat.MagicNumber);
        writer.WriteU8((byte)Version);
        writer.WriteU8((byte)Type);
        WriteBody(ref writer);
        if (writer.Position != UnpaddedLength)
        {
            throw new InvalidOperationException($"The {Type} message announced {UnpaddedLength} bytes but encoded {writer.Position}.");
        }

        // Padding, if any: zero bytes, which every decoder ignores after a complete message.
        destination[writer.Position..length].Clear();
        return length;
    }

    /// <summary>Encodes the message into <paramref name="destination"/> if it fits.</summary>
    /// <param name="destination">The destination span.</param>
    /// <param name="written">The number of bytes written, or 0.</param>
    /// <returns>Whether the message fit.</returns>
    public bool TrySerialize(Span<byte> destination, out int written)
    {
        if (destination.Length < SerializedLength)
        {
            written = 0;
            return false;
        }

        written = Serialize(destination);
        return true;
    }

    /// <summary>Encodes the message into a buffer writer.</summary>
    /// <param name="writer">The destination.</param>
    public void Serialize(IBufferWriter<byte> writer)
    {
        ArgumentNullException.ThrowIfNull(writer);
        var length = SerializedLength;
        var span = writer.GetSpan(length);
        Serialize(span[..length]);
        writer.Advance(length);
    }

    /// <summary>Encodes the message into a new array.</summary>
    /// <returns>The encoded bytes.</returns>
    public byte[] SerializeToArray()
    {
        var bytes = new byte[SerializedLength];
        Serialize(bytes);
        return bytes;
    }

    /// <summary>
    /// Decodes a datagram. Never throws on bad input: returns <see langword="false"/>. Bytes after a complete
    /// message are ignored, as the Rust receiver does.
    /// </summary>
    /// <param name="datagram">The datagram payload.</param>
    /// <param name="message">The decoded message, or <see langword="null"/>.</param>
    /// <returns>Whether the datagram held a valid message.</returns>
    public static bool TryDeserialize(ReadOnlySpan<byte> datagram, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out ChitchatMessage? message) =>
        MessageCodec.TryDecode(datagram, out message, out _);

    /// <summary>Decodes a datagram; on failure, says why (see <see cref="TryDeserialize(ReadOnlySpan{byte}, out ChitchatMessage?)"/>).</summary>
    internal static bool TryDeserialize(ReadOnlySpan<byte> datagram, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out ChitchatMessage? message, out DecodeError error) =>
        MessageCodec.TryDecode(datagram, out message, out error);

    private protected abstract void WriteBody(ref WireWriter writer);

    /// <inheritdoc />
    public abstract bool Equals(ChitchatMessage? other);

    /// <inheritdoc />
    public override bool Equals(object? obj) => Equals(obj as ChitchatMessage);

    /// <inheritdoc />
    public override int GetHashCode() => (int)Type;

    /// <summary>Returns the same message encoded in <paramref name="version"/> (this instance if it already is).</summary>
    /// <param name="version">The protocol version.</param>
    /// <returns>The message in that version.</returns>
    internal abstract ChitchatMessage WithVersion(ProtocolVersion version);

    /// <summary>The first step: the initiator's digest and cluster id.</summary>
    internal sealed class Syn : ChitchatMessage
    {
        private readonly int _clusterIdLength;

        /// <summary>Creates a Syn.</summary>
        /// <param name="clusterId">The initiator's cluster id.</param>
        /// <param name="digest">The initiator's digest.</param>
        /// <param name="version">The protocol version to encode it in.</param>
        public Syn(string clusterId, Digest digest, ProtocolVersion version = ProtocolVersion.V0)
            : base(version)
        {
            ArgumentNullException.ThrowIfNull(clusterId);
            ArgumentNullException.ThrowIfNull(digest);
            _clusterIdLength = WireFormat.StringLength(clusterId);
            ClusterId = clusterId;
            Digest = digest;
        }

        /// <summary>Gets the initiator's cluster id.</summary>
        public string ClusterId { get; }

        /// <summary>Gets the initiator's digest.</summary>
        public Digest Digest { get; }

        /// <inheritdoc />
        internal override MessageType Type => MessageType.Syn;

        private protected override int BodyLength => Digest.GetSerializedLength(Version) + _clusterIdLength;

        /// <inheritdoc />
        internal override ChitchatMessage WithVersion(ProtocolVersion version) =>
            version == Version ? this : new Syn(ClusterId, Digest, version);

        /// <summary>Returns this Syn padded with zero bytes to at least <paramref name="length"/> bytes on the wire.</summary>
        internal Syn WithPadding(int length) =>
            length <= UnpaddedLength ? this : new Syn(ClusterId, Digest, Version) { PaddedLength = length };

        private protected override void WriteBody(ref WireWriter writer)
        {
            // The digest comes first on the wire.
            Digest.Write(ref writer, Version);
            writer.WriteString(ClusterId);
        }

        /// <inheritdoc />
        public override bool Equals(ChitchatMessage? other) =>
            other is Syn syn && Version == syn.Version && string.Equals(ClusterId, syn.ClusterId, StringComparison.Ordinal) && Digest.Equals(syn.Digest);

        /// <inheritdoc />
        public override int GetHashCode() => HashCode.Combine(Type, ClusterId);

        /// <inheritdoc />
        public override string ToString() => $"Syn {Version}(cluster {ClusterId}, {Digest.Count} digest entries)";
    }

    /// <summary>The second step: the responder's digest and the delta the initiator is missing.</summary>
    internal sealed class SynAck : ChitchatMessage
    {
        /// <summary>Creates a SynAck.</summary>
        /// <param name="digest">The responder's digest.</param>
        /// <param name="delta">The updates the initiator is missing.</param>
        /// <param name="version">The protocol version to encode it in.</param>
        public SynAck(Digest digest, Delta delta, ProtocolVersion version = ProtocolVersion.V0)
            : base(version)
        {
            ArgumentNullException.ThrowIfNull(digest);
            ArgumentNullException.ThrowIfNull(delta);
            Digest = digest;
            Delta = delta;
        }

        /// <summary>Gets the responder's digest.</summary>
        public Digest Digest { get; }

        /// <summary>Gets the updates the initiator is missing.</summary>
        public Delta Delta { get; }

        /// <inheritdoc />
        internal override MessageType Type => MessageType.SynAck;

        private protected override int BodyLength => Digest.GetSerializedLength(Version) + Delta.SerializedLength;

        /// <inheritdoc />
        internal override ChitchatMessage WithVersion(ProtocolVersion version) =>
            version == Version ? this : new SynAck(Digest, Delta, version);

        private protected override void WriteBody(ref WireWriter writer)
        {
            Digest.Write(ref writer, Version);
            Delta.Write(ref writer);
        }

        /// <inheritdoc />
        public override bool Equals(ChitchatMessage? other) =>
            other is SynAck synAck && Version == synAck.Version && Digest.Equals(synAck.Digest) && Delta.Equals(synAck.Delta);

        /// <inheritdoc />
        public override int GetHashCode() => HashCode.Combine(Type, Digest.Count);

        /// <inheritdoc />
        public override string ToString() =>
            $"SynAck {Version}({Digest.Count} digest entries, {Delta.NodeDeltas.Count} node deltas)";
    }

    /// <summary>The third step: the delta the responder is missing.</summary>
    internal sealed class Ack : ChitchatMessage
    {
        /// <summary>Creates an Ack.</summary>
        /// <param name="delta">The updates the responder is missing.</param>
        /// <param name="version">The protocol version of the header (an Ack's body is the same in every version).</param>
        public Ack(Delta delta, ProtocolVersion version = ProtocolVersion.V0)
            : base(version)
        {
            ArgumentNullException.ThrowIfNull(delta);
            Delta = delta;
        }

        /// <summary>Gets the updates the responder is missing.</summary>
        public Delta Delta { get; }

        /// <inheritdoc />
        internal override MessageType Type => MessageType.Ack;

        private protected override int BodyLength => Delta.SerializedLength;

        /// <inheritdoc />
        internal override ChitchatMessage WithVersion(ProtocolVersion version) =>
            version == Version ? this : new Ack(Delta, version);

        private protected override void WriteBody(ref WireWriter writer) => Delta.Write(ref writer);

        /// <inheritdoc />
        public override bool Equals(ChitchatMessage? other) => other is Ack ack && Version == ack.Version && Delta.Equals(ack.Delta);

        /// <inheritdoc />
        public override int GetHashCode() => HashCode.Combine(Type, Delta.NodeDeltas.Count);

        /// <inheritdoc />
        public override string ToString() => $"Ack {Version}({Delta.NodeDeltas.Count} node deltas)";
    }

    /// <summary>The reply to a Syn from another cluster.</summary>
    internal sealed class BadCluster : ChitchatMessage
    {
        private static readonly BadCluster s_v1 = new(ProtocolVersion.V1);

        private BadCluster(ProtocolVersion version)
            : base(version)
        {
        }

        /// <summary>Gets the BadCluster message of protocol version 0.</summary>
        public static BadCluster Instance { get; } = new(ProtocolVersion.V0);

        /// <inheritdoc />
        internal override MessageType Type => MessageType.BadCluster;

        private protected override int BodyLength => 0;

        /// <summary>Gets the BadCluster message of <paramref name="version"/>.</summary>
        /// <param name="version">The protocol version.</param>
        /// <returns>The message (a shared instance).</returns>
        public static BadCluster ForVersion(ProtocolVersion version) => version switch
        {
            ProtocolVersion.V0 => Instance,
            ProtocolVersion.V1 => s_v1,
            _ => throw new ArgumentOutOfRangeException(nameof(version), version, "Unknown protocol version."),
        };

        /// <inheritdoc />
        internal override ChitchatMessage WithVersion(ProtocolVersion version) => ForVersion(version);

        private protected override void WriteBody(ref WireWriter writer)
        {
        }

        /// <inheritdoc />
        public override bool Equals(ChitchatMessage? other) => other is BadCluster badCluster && Version == badCluster.Version;

        /// <inheritdoc />
        public override int GetHashCode() => (int)Type;

        /// <inheritdoc />
        public override string ToString() => $"BadCluster {Version}";
    }
}
