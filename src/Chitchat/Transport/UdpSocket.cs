using System.Buffers;
using System.Net;
using System.Net.Sockets;
using System.Runtime.CompilerServices;
using Chitchat.Diagnostics;
using Chitchat.Wire;
using Microsoft.Extensions.Logging;

namespace Chitchat.Transport;

/// <summary>
/// A bound UDP socket. Port of chitchat's <c>transport::udp::UdpSocket</c>.
/// </summary>
/// <remarks>
/// <para>
/// Receives go into one reusable, pinned 65,507-byte buffer through the <see cref="SocketAddress"/>-based
/// <see cref="Socket.ReceiveFromAsync(Memory{byte}, SocketFlags, SocketAddress, CancellationToken)"/>, so a
/// received datagram allocates only its decoded message and its source <see cref="IPEndPoint"/>; a rejected
/// datagram allocates nothing. Because the buffer is shared, one receive may be pending at a time.
/// </para>
/// <para>
/// Each send encodes into its own buffer rented from <see cref="ArrayPool{T}.Shared"/>, so concurrent sends
/// are safe (the operating system sends each datagram atomically).
/// </para>
/// <para>
/// This class holds the only receive loop and send path of the UDP transports: <see cref="EncryptedUdpSocket"/>
/// derives from it and adds an envelope stage (sealing what is sent, opening what is received) through the
/// <c>private protected</c> virtual members. Rejected datagrams are counted by reason in <see cref="Drops"/>.
/// </para>
/// </remarks>
internal partial class UdpSocket : ISocket
{
    /// <summary>
    /// The receive buffer the socket asks the operating system for: room for about 64 full datagrams, so that a
    /// burst of replies from a large cluster is not dropped by the kernel while the node is busy. The system may
    /// grant less (on Linux, <c>net.core.rmem_max</c>, 208 KiB by default, caps it).
    /// </summary>
    internal const int DesiredReceiveBufferSize = 4 * 1024 * 1024;

    /// <summary><c>SIO_UDP_CONNRESET</c>: stops Windows from failing receives after an ICMP port unreachable.</summary>
    private const int SioUdpConnReset = unchecked((int)0x9800000C);

    private readonly Socket _socket;
    private readonly ILogger _logger;
    private readonly Logging.LogRateLimiter _invalidPayloads = new();
    private readonly byte[] _receiveBuffer;
    private readonly SocketAddress _receiveAddress;
    private readonly int _receiveAddressSize;
    private readonly IPEndPoint _endPointFactory;
    private volatile ChitchatMetrics? _metrics;
    private int _receiving;
    private int _disposed;

    /// <summary>Gets the number of datagrams dropped because they did not decode (written by the receive loop only).</summary>
    internal long InvalidDatagramCount => Drops[DatagramDropReason.Undecodable] + Drops[DatagramDropReason.DecompressionCap];

    /// <summary>Gets the datagrams rejected by the receive loop, by reason.</summary>
    internal DropCounters Drops { get; } = new();

    /// <summary>Gets or sets the metrics of the node that owns the socket, which publish its drops.</summary>
    internal ChitchatMetrics? Metrics
    {
        get => _metrics;
        set
        {
            _metrics = value;
            value?.AttachSocketDrops(Drops);
        }
    }

    /// <summary>Gets the largest serialized message a send accepts.</summary>
    private protected virtual int MaxSendLength => WireFormat.MaxUdpDatagramPayloadSize;

    /// <summary>Gets whether send buffers are cleared before they go back to the pool (they held plaintext).</summary>
    private protected virtual bool ClearsSendBuffers => false;

    /// <summary>Gets the logger.</summary>
    private protected ILogger Logger => _logger;

    /// <summary>Gets whether the socket was disposed.</summary>
    private protected bool IsDisposed => Volatile.Read(ref _disposed) != 0;

    private protected UdpSocket(Socket socket, ILogger logger)
    {
        _socket = socket;
        _logger = logger;
        _receiveBuffer = GC.AllocateUninitializedArray<byte>(WireFormat.MaxUdpDatagramPayloadSize, pinned: true);
        _receiveAddress = new SocketAddress(socket.AddressFamily);
        _receiveAddressSize = _receiveAddress.Size;
        _endPointFactory = new IPEndPoint(
            socket.AddressFamily == AddressFamily.InterNetworkV6 ? IPAddress.IPv6Any : IPAddress.Any, 0);
        LocalEndPoint = (IPEndPoint)socket.LocalEndPoint!;
    }

    /// <inheritdoc />
    public IPEndPoint LocalEndPoint { get; }

    /// <summary>Gets the receive buffer size the operating system granted.</summary>
    internal int ReceiveBufferSize => _socket.ReceiveBufferSize;

    /// <summary>Creates a socket of the listen address's family and binds it.</summary>
    /// <param name="listenAddress">The address to bind.</param>
    /// <param name="logger">The logger.</param>
    /// <returns>The bound socket.</returns>
    /// <exception cref="IOException">The bind failed.</exception>
    public static UdpSocket Open(IPEndPoint listenAddress, ILogger logger) => new(Bind(listenAddress, logger), logger);

    /// <summary>Creates a UDP socket of the listen address's family and binds it (shared with the encrypted socket).</summary>
    /// <param name="listenAddress">The address to bind.</param>
    /// <param name="logger">The logger.</param>
    /// <returns>The bound socket.</returns>
    /// <exception cref="IOException">The bind failed.</exception>
    internal static Socket Bind(IPEndPoint listenAddress, ILogger logger)
    {
        var address = listenAddress.Address.IsIPv4MappedToIPv6 ? listenAddress.Address.MapToIPv4() : listenAddress.Address;
        var bindAddress = new IPEndPoint(address, listenAddress.Port);
        Socket? socket = null;
        try
        {
            socket = new Socket(address.AddressFamily, SocketType.Dgram, ProtocolType.Udp);
            if (address.AddressFamily == AddressFamily.InterNetworkV6)
            {
                TryEnableDualMode(socket);
            }

            if (OperatingSystem.IsWindows())
            {
                TryDisableConnectionReset(socket);
            }

            TryEnlargeReceiveBuffer(socket, logger);
            socket.Bind(bindAddress);
            return socket;
        }
        catch (SocketException ex)
        {
            socket?.Dispose();
            throw new IOException($"failed to bind to {bindAddress}/UDP for gossip", ex);
        }
        catch
        {
            socket?.Dispose();
            throw;
        }
    }

    /// <inheritdoc />
    public async ValueTask<int> SendAsync(IPEndPoint to, ChitchatMessage message, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(to);
        ArgumentNullException.ThrowIfNull(message);
        ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);
        cancellationToken.ThrowIfCancellationRequested();

        var length = message.SerializedLength;
        if (length > MaxSendLength)
        {
            throw CreateTooLargeException(message, length);
        }

        // An IPv4 socket cannot send to an IPv4-mapped IPv6 address; a dual-mode IPv6 socket maps by itself.
        var destination = to.Address.IsIPv4MappedToIPv6 && _socket.AddressFamily == AddressFamily.InterNetwork
            ? new IPEndPoint(to.Address.MapToIPv4(), to.Port)
            : to;
        var buffer = ArrayPool<byte>.Shared.Rent(SendBufferLength(length));
        try
        {
            var written = WriteDatagram(message, buffer);
            return await _socket.SendToAsync(buffer.AsMemory(0, written), SocketFlags.None, destination, cancellationToken)
                .ConfigureAwait(false);
        }
        catch (SocketException ex) when (Volatile.Read(ref _disposed) != 0)
        {
            throw new ObjectDisposedException(GetType().FullName, ex);
        }
        catch (SocketException ex)
        {
            throw new IOException($"failed to send chitchat message to {to}: {ex.SocketErrorCode}", ex);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer, ClearsSendBuffers);
        }
    }

    /// <inheritdoc />
    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))] // No state machine allocation per wait.
    public async ValueTask<ReceivedMessage> ReceiveAsync(CancellationToken cancellationToken = default)
    {
        ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);
        if (Interlocked.Exchange(ref _receiving, 1) != 0)
        {
            throw new InvalidOperationException("A receive is already pending on this socket; only one receiver is allowed at a time.");
        }

        try
        {
            // One loop in one async method: skipping a datagram must not allocate a state machine per datagram.
            while (true)
            {
                cancellationToken.ThrowIfCancellationRequested();

                // The previous receive shrank Size to the source's length; the overload requires the maximum.
                _receiveAddress.Size = _receiveAddressSize;
                int length;
                try
                {
                    length = await _socket.ReceiveFromAsync(_receiveBuffer, SocketFlags.None, _receiveAddress, cancellationToken)
                        .ConfigureAwait(false);
                }
                catch (SocketException ex) when (Volatile.Read(ref _disposed) != 0)
                {
                    throw new ObjectDisposedException(GetType().FullName, ex);
                }
                catch (SocketException ex) when (IsTransient(ex.SocketErrorCode))
                {
                    Log.TransientReceiveError(_logger, LocalEndPoint, ex.SocketErrorCode, ex);
                    continue;
                }
                catch (SocketException ex)
                {
                    Log.FatalReceiveError(_logger, LocalEndPoint, ex.SocketErrorCode, ex);
                    throw new IOException($"fatal UDP recv error on {LocalEndPoint}: {ex.SocketErrorCode}", ex);
                }

                if (TryReadDatagram(_receiveBuffer.AsSpan(0, length), out var message, out var reason, out var error))
                {
                    return new ReceivedMessage(CreateSourceEndPoint(), message, length);
                }

                Drops.Increment(reason);
                _metrics?.SocketDropped(reason);
                RecordDrop(reason, error, length);
            }
        }
        finally
        {
            Volatile.Write(ref _receiving, 0);
        }
    }

    /// <inheritdoc />
    public ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 0)
        {
            // Closing aborts a pending receive; ReceiveAsync turns that into ObjectDisposedException.
            _socket.Dispose();
            OnDisposed();
        }

        return ValueTask.CompletedTask;
    }

    /// <summary>Returns the error of a message longer than <see cref="MaxSendLength"/>.</summary>
    private protected virtual MessageTooLargeException CreateTooLargeException(ChitchatMessage message, int length) => new(
        $"The serialized {message.Type} message is {length} bytes; a UDP datagram carries at most "
        + $"{WireFormat.MaxUdpDatagramPayloadSize} bytes. Nothing was sent.",
        length,
        WireFormat.MaxUdpDatagramPayloadSize);

    /// <summary>Returns the send buffer a message of <paramref name="messageLength"/> bytes needs.</summary>
    private protected virtual int SendBufferLength(int messageLength) => messageLength;

    /// <summary>Writes the datagram of <paramref name="message"/> into <paramref name="buffer"/>; returns its length.</summary>
    private protected virtual int WriteDatagram(ChitchatMessage message, byte[] buffer) => message.Serialize(buffer);

    /// <summary>
    /// Decodes a received datagram, or says why it is dropped. Called by the single receiver only; must not allocate
    /// for a rejected datagram.
    /// </summary>
    private protected virtual bool TryReadDatagram(
        ReadOnlySpan<byte> datagram,
        [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out ChitchatMessage? message,
        out DatagramDropReason reason,
        out DecodeError error)
    {
        if (ChitchatMessage.TryDeserialize(datagram, out message, out error))
        {
            reason = default;
            return true;
        }

        reason = DatagramDropReasons.FromDecodeError(error.Kind);
        return false;
    }

    /// <summary>Logs a dropped datagram (already counted in <see cref="Drops"/>), rate-limited.</summary>
    private protected virtual void RecordDrop(DatagramDropReason reason, DecodeError error, int length)
    {
        // Rate-limited: a peer sending junk as fast as it can must not flood the logs either. Only build the source
        // address when it will be logged: junk must not allocate.
        if (_logger.IsEnabled(LogLevel.Warning) && _invalidPayloads.TryAcquire(out var suppressed))
        {
            Log.InvalidPayload(_logger, length, CreateSourceEndPoint(), error.ToString(), suppressed);
        }
    }

    /// <summary>Releases what a derived socket holds besides the socket; called once, after the socket was closed.</summary>
    private protected virtual void OnDisposed()
    {
    }

    /// <summary>
    /// Port of chitchat <c>udp.rs</c> <c>is_transient_io_error</c>, in socket error codes.
    /// </summary>
    internal static bool IsTransient(SocketError error) => error is
        SocketError.ConnectionReset // Windows: ICMP port unreachable after a send to a closed port.
        or SocketError.ConnectionRefused
        or SocketError.NoBufferSpaceAvailable // ENOBUFS/ENOMEM: Rust's OutOfMemory.
        or SocketError.MessageSize; // Windows: a datagram larger than the buffer (Linux truncates silently).

    /// <summary>Returns the source address of the datagram just received (allocates it).</summary>
    private protected IPEndPoint CreateSourceEndPoint()
    {
        var endPoint = (IPEndPoint)_endPointFactory.Create(_receiveAddress);
        return endPoint.Address.IsIPv4MappedToIPv6
            ? new IPEndPoint(endPoint.Address.MapToIPv4(), endPoint.Port)
            : endPoint;
    }

    private static void TryDisableConnectionReset(Socket socket)
    {
        try
        {
            // Otherwise an ICMP "port unreachable" caused by an earlier send fails the next receive with
            // WSAECONNRESET. That error is transient anyway, so a failure here is harmless.
            socket.IOControl(SioUdpConnReset, [0, 0, 0, 0], null);
        }
        catch (SocketException)
        {
        }
    }

    /// <summary>Asks for <see cref="DesiredReceiveBufferSize"/>; keeps the system's size where that is refused.</summary>
    private static void TryEnlargeReceiveBuffer(Socket socket, ILogger logger)
    {
        try
        {
            if (socket.ReceiveBufferSize < DesiredReceiveBufferSize)
            {
                socket.ReceiveBufferSize = DesiredReceiveBufferSize;
            }
        }
        catch (SocketException)
        {
            // Some systems refuse sizes above their maximum instead of capping them: keep the default.
        }

        Log.ReceiveBufferSize(logger, socket.ReceiveBufferSize, DesiredReceiveBufferSize);
    }

    private static void TryEnableDualMode(Socket socket)
    {
        try
        {
            socket.DualMode = true;
        }
        catch (SocketException)
        {
            // Some systems have no dual-stack sockets; the socket then serves IPv6 peers only.
        }
        catch (NotSupportedException)
        {
            // Same as above.
        }
    }
}
