using System.Buffers;
using System.Net;
using System.Net.Sockets;
using Chitchat.Transport;
using Chitchat.Wire;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Chitchat.Testing;

/// <summary>
/// An in-process transport for tests and simulations: a broker that routes messages between the sockets
/// opened on it. Port of chitchat's <c>transport::ChannelTransport</c>.
/// </summary>
/// <remarks>
/// <para>
/// Every socket opened on one instance can reach the others by address; nothing touches the network, so
/// any address works. Each socket has a bounded inbox of <see cref="InboxCapacity"/> messages; a message
/// sent to a full inbox, to an address nobody opened, or across a removed link (<see cref="RemoveLink"/>)
/// is dropped silently, like a lost datagram.
/// </para>
/// <para>
/// Each send encodes and decodes the message, so receivers get their own decoded copy, as over a network,
/// and codec bugs surface as <see cref="InvalidOperationException"/>. With an MTU, larger messages fail
/// with <see cref="MessageTooLargeException"/>; without one there is no size limit.
/// </para>
/// <para>
/// Everything is asynchronous (no thread per socket), so hundreds of nodes can share one process.
/// Thread-safe: all members may be called concurrently.
/// </para>
/// </remarks>
public sealed partial class InMemoryTransport : ITransport
{
    /// <summary>The number of messages a socket's inbox holds before new ones are dropped (chitchat: 100).</summary>
    internal const int InboxCapacity = 100;

    /// <summary>The first port given to a socket opened on port 0 (the start of the IANA dynamic range).</summary>
    internal const int FirstEphemeralPort = 49_152;

    private readonly Lock _gate = new();
    private readonly Dictionary<IPEndPoint, InMemorySocket> _sockets = [];
    private readonly HashSet<(IPEndPoint From, IPEndPoint To)> _removedLinks = [];
    private readonly int? _mtu;
    private readonly ILogger _logger;
    private ulong _numBytesTotal;
    private ulong _numMessagesTotal;
    private int _nextEphemeralPort = FirstEphemeralPort;
    private long _inboxDrops;

    /// <summary>Creates a broker.</summary>
    /// <param name="mtu">The largest encoded message accepted, in bytes; no limit when <see langword="null"/>.</param>
    /// <param name="loggerFactory">Creates the logger for opened, closed and dropped traffic; none when <see langword="null"/>.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="mtu"/> is not positive.</exception>
    public InMemoryTransport(int? mtu = null, ILoggerFactory? loggerFactory = null)
    {
        if (mtu is { } value)
        {
            ArgumentOutOfRangeException.ThrowIfNegativeOrZero(value, nameof(mtu));
        }

        _mtu = mtu;
        _logger = loggerFactory?.CreateLogger<InMemoryTransport>() ?? NullLogger<InMemoryTransport>.Instance;
    }

    /// <summary>Gets a consistent snapshot of the traffic counters. Thread-safe.</summary>
    public TransportStatistics Statistics
    {
        get
        {
            lock (_gate)
            {
                return new TransportStatistics(_numBytesTotal, _numMessagesTotal);
            }
        }
    }

    /// <summary>
    /// Gets the number of messages dropped because the destination's inbox was full (its node did not keep up), the
    /// in-memory counterpart of a UDP receive buffer overflow. Thread-safe.
    /// </summary>
    public long InboxDrops => Interlocked.Read(ref _inboxDrops);

    /// <summary>Creates a broker with an MTU. Port of chitchat's <c>ChannelTransport::with_mtu</c>.</summary>
    /// <param name="mtu">The largest encoded message accepted, in bytes.</param>
    /// <returns>The broker.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="mtu"/> is not positive.</exception>
    public static InMemoryTransport WithMtu(int mtu) => new(mtu);

    /// <inheritdoc />
    /// <remarks>
    /// As with UDP, port 0 asks for a free port: the socket gets the next port of the dynamic range (49152–65535)
    /// that is not open on that address, and reports it in <see cref="ISocket.LocalEndPoint"/>.
    /// </remarks>
    /// <exception cref="IOException">
    /// The address is already open on this broker ("Address not available `{address}`"), or port 0 was asked and every
    /// port of the dynamic range is open on that address.
    /// </exception>
    public ValueTask<ISocket> OpenAsync(IPEndPoint listenAddress, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(listenAddress);
        cancellationToken.ThrowIfCancellationRequested();
        var address = Normalize(listenAddress);
        InMemorySocket socket;
        lock (_gate)
        {
            if (address.Port == 0)
            {
                address = AllocatePort(address.Address);
            }
            else if (_sockets.ContainsKey(address))
            {
                throw new IOException($"Address not available `{address}`");
            }

            socket = new InMemorySocket(this, address);
            _sockets.Add(address, socket);
        }

        Log.Opened(_logger, address);
        return ValueTask.FromResult<ISocket>(socket);
    }

    /// <summary>
    /// Cuts the link between <paramref name="a"/> and <paramref name="b"/> in both directions: later messages
    /// either way are dropped (after being counted). Port of chitchat's <c>remove_link</c>. Thread-safe.
    /// </summary>
    /// <param name="a">One end.</param>
    /// <param name="b">The other end.</param>
    public void RemoveLink(IPEndPoint a, IPEndPoint b)
    {
        ArgumentNullException.ThrowIfNull(a);
        ArgumentNullException.ThrowIfNull(b);
        var first = Normalize(a);
        var second = Normalize(b);
        lock (_gate)
        {
            _removedLinks.Add((first, second));
            _removedLinks.Add((second, first));
        }
    }

    /// <summary>
    /// Restores the link between <paramref name="a"/> and <paramref name="b"/> in both directions. Port of
    /// chitchat's <c>add_link</c>. Thread-safe; restoring a link that was never removed does nothing.
    /// </summary>
    /// <param name="a">One end.</param>
    /// <param name="b">The other end.</param>
    public void AddLink(IPEndPoint a, IPEndPoint b)
    {
        ArgumentNullException.ThrowIfNull(a);
        ArgumentNullException.ThrowIfNull(b);
        var first = Normalize(a);
        var second = Normalize(b);
        lock (_gate)
        {
            _removedLinks.Remove((first, second));
            _removedLinks.Remove((second, first));
        }
    }

    /// <summary>Routes one message. Port of chitchat <c>channel.rs</c> <c>ChannelTransport::send</c>.</summary>
    /// <returns>The encoded length of the message (counted even when it is dropped on the way).</returns>
    internal int Send(IPEndPoint from, IPEndPoint to, ChitchatMessage message)
    {
        // 1. Encode and decode, to mimic the network and catch codec bugs.
        var (received, length) = RoundTrip(message);

        // 2. The MTU.
        if (_mtu is { } mtu && length > mtu)
        {
            throw new MessageTooLargeException(
                $"Serialized message size exceeds MTU. ({message.GetType().Name} of {length} bytes, MTU {mtu} bytes)", length, mtu);
        }

        if (to.Address.IsIPv4MappedToIPv6)
        {
            to = Normalize(to);
        }

        InMemorySocket? destination;
        lock (_gate)
        {
            // 3. Statistics count every message, including those dropped below.
            _numBytesTotal += (ulong)length;
            _numMessagesTotal++;

            // 4. A removed link drops silently.
            if (_removedLinks.Count > 0 && _removedLinks.Contains((from, to)))
            {
                return length;
            }

            // 5. So does an address nobody opened.
            _sockets.TryGetValue(to, out destination);
        }

        // 6. And a full inbox (outside the lock: the inbox is thread-safe).
        if (destination is not null && !destination.TryDeliver(new ReceivedMessage(new IPEndPoint(from.Address, from.Port), received, length)))
        {
            Interlocked.Increment(ref _inboxDrops);
            Log.InboxFull(_logger, destination.LocalEndPoint, from);
        }

        return length;
    }

    /// <summary>Releases <paramref name="socket"/>'s address. Port of chitchat's <c>ChannelTransport::close</c>.</summary>
    internal void Close(InMemorySocket socket)
    {
        lock (_gate)
        {
            if (_sockets.TryGetValue(socket.LocalEndPoint, out var current) && ReferenceEquals(current, socket))
            {
                _sockets.Remove(socket.LocalEndPoint);
            }
        }

        Log.Closed(_logger, socket.LocalEndPoint);
    }

    /// <summary>
    /// Encodes then decodes <paramref name="message"/>. Port of chitchat <c>serialize_deserialize_chitchat_message</c>:
    /// the decoded message must equal the original.
    /// </summary>
    private static (ChitchatMessage Message, int Length) RoundTrip(ChitchatMessage message)
    {
        var length = message.SerializedLength;
        var buffer = ArrayPool<byte>.Shared.Rent(length);
        try
        {
            var written = message.Serialize(buffer);
            if (written != length)
            {
                throw new InvalidOperationException(
                    $"The {message.GetType().Name} message announced {length} bytes but encoded {written}.");
            }

            if (!ChitchatMessage.TryDeserialize(buffer.AsSpan(0, written), out var decoded))
            {
                throw new InvalidOperationException($"The encoded {message.GetType().Name} message does not decode.");
            }

            if (!decoded.Equals(message))
            {
                throw new InvalidOperationException($"The {message.GetType().Name} message changed in an encode/decode round trip.");
            }

            return (decoded, written);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    /// <summary>Copies an address (the caller may mutate theirs), mapping IPv4-mapped IPv6 to IPv4.</summary>
    // Called under the lock. Ports are handed out in a round-robin over the dynamic range, skipping the ones in use.
    private IPEndPoint AllocatePort(IPAddress address)
    {
        const int rangeSize = IPEndPoint.MaxPort - FirstEphemeralPort + 1;
        for (var attempt = 0; attempt < rangeSize; attempt++)
        {
            var port = _nextEphemeralPort;
            _nextEphemeralPort = port == IPEndPoint.MaxPort ? FirstEphemeralPort : port + 1;
            var candidate = new IPEndPoint(address, port);
            if (!_sockets.ContainsKey(candidate))
            {
                return candidate;
            }
        }

        throw new IOException($"No free port on {address}: every port of the dynamic range is open on this transport");
    }

    private static IPEndPoint Normalize(IPEndPoint endPoint)
    {
        var address = endPoint.Address;
        address = address.IsIPv4MappedToIPv6 ? address.MapToIPv4()
            : address.AddressFamily == AddressFamily.InterNetworkV6 ? new IPAddress(address.GetAddressBytes(), address.ScopeId)
            : new IPAddress(address.GetAddressBytes());

        return new IPEndPoint(address, endPoint.Port);
    }
}
