using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Chitchat;

/// <summary>
/// Identifies one incarnation of a cluster member: its node id, its generation and the address
/// other members gossip to.
/// </summary>
/// <remarks>
/// <para>
/// Equality and hashing use all three fields, so a node restarted with a new
/// <see cref="GenerationId"/> is a different member; its previous incarnation is eventually
/// detected dead and forgotten. The generation must therefore increase at every restart
/// (Quickwit and the <c>chitchat</c> command use the start time in seconds since the Unix epoch).
/// </para>
/// <para>
/// The total order (<see cref="CompareTo(ChitchatId?)"/>) is the one the Rust crate uses for its
/// sorted maps: node id in UTF-8 byte order, then generation, then address (every IPv4 address
/// before every IPv6 address, then the address bytes, then the port). Digests are written in this order.
/// </para>
/// <para>Instances are immutable and safe to share between threads.</para>
/// </remarks>
[System.Text.Json.Serialization.JsonConverter(typeof(Json.ChitchatIdJsonConverter))]
public sealed class ChitchatId : IEquatable<ChitchatId>, IComparable<ChitchatId>
{
    private readonly byte[] _nodeIdUtf8;
    private readonly byte[] _addressBytes;
    private readonly int _hashCode;

    /// <summary>Creates an identifier.</summary>
    /// <param name="nodeId">The node id, unique in the cluster; at most 65,535 UTF-8 bytes.</param>
    /// <param name="generationId">The generation; must increase each time the node restarts.</param>
    /// <param name="gossipAdvertiseAddr">
    /// The address peers use to reach the node. An IPv4-mapped IPv6 address is stored as plain IPv4,
    /// because that is what a Rust peer would see. The instance is copied.
    /// </param>
    /// <exception cref="ArgumentException">The node id is longer than 65,535 UTF-8 bytes.</exception>
    public ChitchatId(string nodeId, ulong generationId, IPEndPoint gossipAdvertiseAddr)
    {
        ArgumentNullException.ThrowIfNull(nodeId);
        ArgumentNullException.ThrowIfNull(gossipAdvertiseAddr);
        var utf8 = Encoding.UTF8.GetBytes(nodeId);
        if (utf8.Length > ushort.MaxValue)
        {
            throw new ArgumentException(
                $"The node id is {utf8.Length} UTF-8 bytes long; the wire format allows at most {ushort.MaxValue}.",
                nameof(nodeId));
        }

        var address = gossipAdvertiseAddr.Address;
        if (address.IsIPv4MappedToIPv6)
        {
            address = address.MapToIPv4();
        }
        else if (address.AddressFamily == AddressFamily.InterNetworkV6 && address.ScopeId != 0)
        {
            // Scope ids are not transmitted: keep only what survives a round trip.
            address = new IPAddress(address.GetAddressBytes());
        }

        NodeId = nodeId;
        GenerationId = generationId;
        GossipAdvertiseAddr = new IPEndPoint(address, gossipAdvertiseAddr.Port);
        _nodeIdUtf8 = utf8;
        _addressBytes = address.GetAddressBytes();
        _hashCode = HashCode.Combine(nodeId, generationId, address, gossipAdvertiseAddr.Port);
    }

    /// <summary>Gets the node id.</summary>
    public string NodeId { get; }

    /// <summary>Gets the generation id.</summary>
    public ulong GenerationId { get; }

    /// <summary>Gets the address peers use to reach this node.</summary>
    /// <remarks><see cref="IPEndPoint"/> is mutable, so every call returns a new copy: the id itself never changes.</remarks>
    public IPEndPoint GossipAdvertiseEndPoint => new(new IPAddress(_addressBytes), GossipAdvertiseAddr.Port);

    /// <summary>Gets the advertise address without a copy (never mutated by the library; never handed out).</summary>
    internal IPEndPoint GossipAdvertiseAddr { get; }

    /// <summary>Gets the UTF-8 bytes of the node id (cached for encoding and ordering).</summary>
    internal ReadOnlySpan<byte> NodeIdUtf8 => _nodeIdUtf8;

    /// <summary>Gets the address octets (4 or 16 bytes).</summary>
    internal ReadOnlySpan<byte> AddressBytes => _addressBytes;

    /// <summary>Gets whether the advertise address is IPv4.</summary>
    internal bool IsIPv4 => _addressBytes.Length == 4;

    /// <summary>Gets the number of bytes this identifier takes on the wire.</summary>
    internal int SerializedLength => 2 + _nodeIdUtf8.Length + 8 + 1 + _addressBytes.Length + 2;

    /// <summary>
    /// Creates the identifier the Rust tests use for a local node: <c>node-{port}</c>, generation 0,
    /// <c>127.0.0.1:{port}</c>.
    /// </summary>
    /// <param name="port">The port.</param>
    /// <returns>The identifier.</returns>
    internal static ChitchatId ForLocalTest(int port) =>
        new($"node-{port}", 0, new IPEndPoint(IPAddress.Loopback, port));

    /// <inheritdoc />
    public bool Equals(ChitchatId? other)
    {
        if (ReferenceEquals(this, other))
        {
            return true;
        }

        return other is not null
            && _hashCode == other._hashCode
            && GenerationId == other.GenerationId
            && GossipAdvertiseAddr.Port == other.GossipAdvertiseAddr.Port
            && _addressBytes.AsSpan().SequenceEqual(other._addressBytes)
            && string.Equals(NodeId, other.NodeId, StringComparison.Ordinal);
    }

    /// <inheritdoc />
    public override bool Equals(object? obj) => Equals(obj as ChitchatId);

    /// <inheritdoc />
    public override int GetHashCode() => _hashCode;

    /// <inheritdoc />
    public int CompareTo(ChitchatId? other)
    {
        if (ReferenceEquals(this, other))
        {
            return 0;
        }

        if (other is null)
        {
            return 1;
        }

        var byNodeId = _nodeIdUtf8.AsSpan().SequenceCompareTo(other._nodeIdUtf8);
        if (byNodeId != 0)
        {
            return byNodeId;
        }

        var byGeneration = GenerationId.CompareTo(other.GenerationId);
        if (byGeneration != 0)
        {
            return byGeneration;
        }

        // IPv4 (4 bytes) sorts before IPv6 (16 bytes), then by octets, then by port.
        var byFamily = _addressBytes.Length.CompareTo(other._addressBytes.Length);
        if (byFamily != 0)
        {
            return byFamily;
        }

        var byAddress = _addressBytes.AsSpan().SequenceCompareTo(other._addressBytes);
        return byAddress != 0 ? byAddress : GossipAdvertiseAddr.Port.CompareTo(other.GossipAdvertiseAddr.Port);
    }

    /// <summary>Returns <c>node_id:generation_id:address</c>, the form chitchat logs.</summary>
    /// <returns>The text form.</returns>
    public override string ToString() => $"{NodeId}:{GenerationId}:{GossipAdvertiseAddr}";

    /// <summary>Equality operator.</summary>
    /// <param name="left">The left operand.</param>
    /// <param name="right">The right operand.</param>
    /// <returns>Whether both are equal.</returns>
    public static bool operator ==(ChitchatId? left, ChitchatId? right) =>
        left is null ? right is null : left.Equals(right);

    /// <summary>Inequality operator.</summary>
    /// <param name="left">The left operand.</param>
    /// <param name="right">The right operand.</param>
    /// <returns>Whether both differ.</returns>
    public static bool operator !=(ChitchatId? left, ChitchatId? right) => !(left == right);

    /// <summary>Less-than operator following <see cref="CompareTo(ChitchatId?)"/>.</summary>
    /// <param name="left">The left operand.</param>
    /// <param name="right">The right operand.</param>
    /// <returns>Whether left sorts before right.</returns>
    public static bool operator <(ChitchatId? left, ChitchatId? right) =>
        left is null ? right is not null : left.CompareTo(right) < 0;

    /// <summary>Less-than-or-equal operator following <see cref="CompareTo(ChitchatId?)"/>.</summary>
    /// <param name="left">The left operand.</param>
    /// <param name="right">The right operand.</param>
    /// <returns>Whether left sorts before right or equals it.</returns>
    public static bool operator <=(ChitchatId? left, ChitchatId? right) =>
        left is null || left.CompareTo(right) <= 0;

    /// <summary>Greater-than operator following <see cref="CompareTo(ChitchatId?)"/>.</summary>
    /// <param name="left">The left operand.</param>
    /// <param name="right">The right operand.</param>
    /// <returns>Whether left sorts after right.</returns>
    public static bool operator >(ChitchatId? left, ChitchatId? right) =>
        left is not null && left.CompareTo(right) > 0;

    /// <summary>Greater-than-or-equal operator following <see cref="CompareTo(ChitchatId?)"/>.</summary>
    /// <param name="left">The left operand.</param>
    /// <param name="right">The right operand.</param>
    /// <returns>Whether left sorts after right or equals it.</returns>
    public static bool operator >=(ChitchatId? left, ChitchatId? right) =>
        left is null ? right is null : left.CompareTo(right) >= 0;
}
