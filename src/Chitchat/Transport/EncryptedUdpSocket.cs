using System.Buffers;
using System.Net;
using System.Net.Sockets;
using System.Runtime.CompilerServices;
using System.Security.Cryptography;
using System.Text;
using Chitchat.Wire;
using Microsoft.Extensions.Logging;

namespace Chitchat.Transport;

/// <summary>
/// A UDP socket whose datagrams are sealed with AES-GCM (<see cref="DatagramEnvelope"/>).
/// </summary>
/// <remarks>
/// <para>
/// Like <see cref="UdpSocket"/>, receives go into one reusable pinned buffer and are decrypted into a second
/// one, so a rejected datagram allocates nothing, except a forgery that names a key of the keyring: AES-GCM
/// reports a bad tag only by an exception. Drops are counted and logged at most once per
/// <see cref="DropLogInterval"/> per reason, with the number of drops not logged.
/// </para>
/// <para>
/// Sends encrypt in place in a buffer rented per send; the primary key's cipher is used under a lock, the
/// receive path has its own ciphers.
/// </para>
/// </remarks>
internal sealed partial class EncryptedUdpSocket : ISocket, IMessageSizeLimit
{
    /// <summary>The shortest interval between two log entries of one drop reason.</summary>
    internal static readonly TimeSpan DropLogInterval = TimeSpan.FromSeconds(10);

    private readonly Socket _socket;
    private readonly ILogger _logger;
    private readonly TimeProvider _timeProvider;
    private readonly EncryptionMode _mode;
    private readonly byte[] _clusterId;
    private readonly uint[] _keyIds;
    private readonly AesGcm[] _receiveCiphers;
    private readonly AesGcm _sendCipher;
    private readonly Lock _sendGate = new();
    private readonly byte[] _receiveBuffer;
    private readonly byte[] _plaintextBuffer;
    private readonly byte[] _receiveAad;
    private readonly SocketAddress _receiveAddress;
    private readonly int _receiveAddressSize;
    private readonly IPEndPoint _endPointFactory;
    private readonly DropLog[] _dropLogs = [new(), new(), new(), new()];
    private int _receiving;
    private int _disposed;

    private EncryptedUdpSocket(Socket socket, EncryptionKeyring keyring, string clusterId, EncryptionMode mode, ILogger logger, TimeProvider timeProvider)
    {
        _socket = socket;
        _logger = logger;
        _timeProvider = timeProvider;
        _mode = mode;
        _clusterId = Encoding.UTF8.GetBytes(clusterId);
        _keyIds = [.. keyring.KeyIds];
        _receiveCiphers = keyring.CreateCiphers();
        _sendCipher = keyring.CreatePrimaryCipher();
        _receiveBuffer = GC.AllocateUninitializedArray<byte>(WireFormat.MaxUdpDatagramPayloadSize, pinned: true);
        _plaintextBuffer = GC.AllocateUninitializedArray<byte>(WireFormat.MaxUdpDatagramPayloadSize, pinned: true);
        _receiveAad = new byte[DatagramEnvelope.AuthenticatedHeaderLength + _clusterId.Length];
        _clusterId.CopyTo(_receiveAad, DatagramEnvelope.AuthenticatedHeaderLength);
        _receiveAddress = new SocketAddress(socket.AddressFamily);
        _receiveAddressSize = _receiveAddress.Size;
        _endPointFactory = new IPEndPoint(
            socket.AddressFamily == AddressFamily.InterNetworkV6 ? IPAddress.IPv6Any : IPAddress.Any, 0);
        LocalEndPoint = (IPEndPoint)socket.LocalEndPoint!;
    }

    /// <summary>Why a datagram was dropped.</summary>
    internal enum DropReason
    {
        /// <summary>Plaintext received in <see cref="EncryptionMode.Require"/>.</summary>
        Plaintext = 0,

        /// <summary>An envelope naming a key that is not in the keyring.</summary>
        UnknownKey = 1,

        /// <summary>An envelope that does not authenticate (tampered, another cluster, malformed).</summary>
        Unauthentic = 2,

        /// <summary>A datagram (decrypted or plaintext) that is not a valid chitchat message.</summary>
        InvalidMessage = 3,
    }

    /// <inheritdoc />
    public IPEndPoint LocalEndPoint { get; }

    /// <inheritdoc />
    public int MaxMessageLength => _mode == EncryptionMode.Prepare ? WireFormat.MaxUdpDatagramPayloadSize : DatagramEnvelope.MaxMessageLength;

    /// <inheritdoc />
    public int Overhead => _mode == EncryptionMode.Prepare ? 0 : DatagramEnvelope.Overhead;

    /// <summary>Opens a socket.</summary>
    /// <exception cref="IOException">The bind failed.</exception>
    public static EncryptedUdpSocket Open(
        IPEndPoint listenAddress, EncryptionKeyring keyring, string clusterId, EncryptionMode mode, ILogger logger, TimeProvider timeProvider)
    {
        var socket = UdpSocket.Bind(listenAddress, logger);
        try
        {
            return new EncryptedUdpSocket(socket, keyring, clusterId, mode, logger, timeProvider);
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }

    /// <summary>Gets the number of datagrams dropped for <paramref name="reason"/> since the socket was opened.</summary>
    internal long DropCount(DropReason reason) => Volatile.Read(ref _dropLogs[(int)reason].Total);

    /// <inheritdoc />
    public async ValueTask<int> SendAsync(IPEndPoint to, ChitchatMessage message, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(to);
        ArgumentNullException.ThrowIfNull(message);
        ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);
        cancellationToken.ThrowIfCancellationRequested();

        var length = message.SerializedLength;
        if (length > MaxMessageLength)
        {
            throw new MessageTooLargeException(
                $"The serialized {message.Type} message is {length} bytes; an encrypted UDP datagram carries at most "
                + $"{MaxMessageLength} bytes of message ({DatagramEnvelope.Overhead} bytes go to the encryption). Nothing was sent.",
                length,
                MaxMessageLength);
        }

        var destination = to.Address.IsIPv4MappedToIPv6 && _socket.AddressFamily == AddressFamily.InterNetwork
            ? new IPEndPoint(to.Address.MapToIPv4(), to.Port)
            : to;
        var aadLength = DatagramEnvelope.AuthenticatedHeaderLength + _clusterId.Length;
        var buffer = ArrayPool<byte>.Shared.Rent(length + DatagramEnvelope.Overhead + aadLength);
        try
        {
            int datagramLength;
            if (_mode == EncryptionMode.Prepare)
            {
                datagramLength = message.Serialize(buffer);
            }
            else
            {
                var written = message.Serialize(buffer.AsSpan(DatagramEnvelope.HeaderLength));
                var datagramEnd = written + DatagramEnvelope.Overhead;
                var aad = buffer.AsSpan(datagramEnd, aadLength);
                _clusterId.CopyTo(aad[DatagramEnvelope.AuthenticatedHeaderLength..]);
                lock (_sendGate)
                {
                    ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);
                    datagramLength = DatagramEnvelope.Seal(_sendCipher, _keyIds[0], (byte)message.Version, buffer, written, aad);
                }
            }

            return await _socket.SendToAsync(buffer.AsMemory(0, datagramLength), SocketFlags.None, destination, cancellationToken)
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
            ArrayPool<byte>.Shared.Return(buffer, clearArray: true);
        }
    }

    /// <inheritdoc />
    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    public async ValueTask<ReceivedMessage> ReceiveAsync(CancellationToken cancellationToken = default)
    {
        ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);
        if (Interlocked.Exchange(ref _receiving, 1) != 0)
        {
            throw new InvalidOperationException("A receive is already pending on this socket; only one receiver is allowed at a time.");
        }

        try
        {
            while (true)
            {
                cancellationToken.ThrowIfCancellationRequested();
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
                catch (SocketException ex) when (UdpSocket.IsTransient(ex.SocketErrorCode))
                {
                    Log.TransientReceiveError(_logger, LocalEndPoint, ex.SocketErrorCode, ex);
                    continue;
                }
                catch (SocketException ex)
                {
                    Log.FatalReceiveError(_logger, LocalEndPoint, ex.SocketErrorCode, ex);
                    throw new IOException($"fatal UDP recv error on {LocalEndPoint}: {ex.SocketErrorCode}", ex);
                }

                if (TryOpen(_receiveBuffer.AsSpan(0, length), out var message, out var reason))
                {
                    return new ReceivedMessage(CreateSourceEndPoint(), message, length);
                }

                RecordDrop(reason, length);
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
            _socket.Dispose();
            lock (_sendGate)
            {
                _sendCipher.Dispose();
            }

            // The receive ciphers are left to the finalizer: a receive may still be running on them.
        }

        return ValueTask.CompletedTask;
    }

    /// <summary>
    /// Authenticates, decrypts and decodes a received datagram. Called by the single receiver only (it uses the
    /// receive-side buffers); allocates nothing for a rejected datagram, except a forgery naming a known key.
    /// </summary>
    internal bool TryOpen(ReadOnlySpan<byte> datagram, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out ChitchatMessage? message, out DropReason reason)
    {
        message = null;
        ReadOnlySpan<byte> plaintext;
        if (DatagramEnvelope.HasEnvelopeMagic(datagram))
        {
            if (datagram.Length < DatagramEnvelope.Overhead)
            {
                reason = DropReason.Unauthentic;
                return false;
            }

            var keyIndex = Array.IndexOf(_keyIds, DatagramEnvelope.ReadKeyId(datagram));
            if (keyIndex < 0)
            {
                reason = DropReason.UnknownKey;
                return false;
            }

            if (!DatagramEnvelope.TryOpen(_receiveCiphers[keyIndex], datagram, _plaintextBuffer, _receiveAad, out var messageLength))
            {
                reason = DropReason.Unauthentic;
                return false;
            }

            plaintext = _plaintextBuffer.AsSpan(0, messageLength);
        }
        else if (_mode == EncryptionMode.Require)
        {
            reason = DropReason.Plaintext;
            return false;
        }
        else
        {
            plaintext = datagram;
        }

        if (ChitchatMessage.TryDeserialize(plaintext, out message, out _))
        {
            reason = default;
            return true;
        }

        reason = DropReason.InvalidMessage;
        return false;
    }

    /// <summary>Counts a drop and logs it unless the reason was logged less than <see cref="DropLogInterval"/> ago.</summary>
    private void RecordDrop(DropReason reason, int length)
    {
        ref var log = ref _dropLogs[(int)reason];
        Interlocked.Increment(ref log.Total);
        var now = _timeProvider.GetTimestamp();
        if (log.LastLogged != 0 && _timeProvider.GetElapsedTime(log.LastLogged, now) < DropLogInterval)
        {
            log.Suppressed++;
            return;
        }

        var suppressed = log.Suppressed;
        log.Suppressed = 0;
        log.LastLogged = now;
        if (_logger.IsEnabled(LogLevel.Warning))
        {
            Log.DroppedDatagram(_logger, length, CreateSourceEndPoint(), Describe(reason), suppressed);
        }
    }

    private static string Describe(DropReason reason) => reason switch
    {
        DropReason.Plaintext => "plaintext datagram, and encryption is required",
        DropReason.UnknownKey => "encrypted with a key that is not in the keyring",
        DropReason.Unauthentic => "encrypted datagram that does not authenticate (tampered, truncated, or sealed for another cluster id)",
        _ => "not a valid chitchat message",
    };

    private IPEndPoint CreateSourceEndPoint()
    {
        var endPoint = (IPEndPoint)_endPointFactory.Create(_receiveAddress);
        return endPoint.Address.IsIPv4MappedToIPv6
            ? new IPEndPoint(endPoint.Address.MapToIPv4(), endPoint.Port)
            : endPoint;
    }

    /// <summary>The drop counters and log limiter of one reason (written by the single receiver).</summary>
    private sealed class DropLog
    {
        public long Total;
        public long Suppressed;
        public long LastLogged;
    }
}
