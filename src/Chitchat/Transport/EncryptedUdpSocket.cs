using System.Diagnostics.CodeAnalysis;
using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Text;
using Chitchat.Diagnostics;
using Chitchat.Wire;
using Microsoft.Extensions.Logging;

namespace Chitchat.Transport;

/// <summary>
/// A UDP socket whose datagrams are sealed with AES-GCM (<see cref="DatagramEnvelope"/>): the envelope stage of
/// <see cref="UdpSocket"/>, whose receive loop and send path it uses.
/// </summary>
/// <remarks>
/// <para>
/// Received datagrams are decrypted into a second pinned buffer, so a rejected datagram allocates nothing, except a
/// forgery that names a key of the keyring: AES-GCM reports a bad tag only by an exception. Drops are counted and
/// logged at most once per <see cref="DropLogInterval"/> per reason, with the number of drops not logged.
/// </para>
/// <para>
/// Sends encrypt in place in the buffer rented per send (cleared before it goes back to the pool); the primary key's
/// cipher is used under a lock, the receive path has its own ciphers.
/// </para>
/// </remarks>
internal sealed partial class EncryptedUdpSocket : UdpSocket, IMessageSizeLimit
{
    /// <summary>The shortest interval between two log entries of one drop reason.</summary>
    internal static readonly TimeSpan DropLogInterval = TimeSpan.FromSeconds(10);

    private readonly TimeProvider _timeProvider;
    private readonly EncryptionMode _mode;
    private readonly byte[] _clusterId;
    private readonly uint[] _keyIds;
    private readonly AesGcm[] _receiveCiphers;
    private readonly AesGcm _sendCipher;
    private readonly Lock _sendGate = new();
    private readonly byte[] _plaintextBuffer;
    private readonly byte[] _receiveAad;
    private readonly DropLog[] _dropLogs = [new(), new(), new(), new()];

    private EncryptedUdpSocket(Socket socket, EncryptionKeyring keyring, string clusterId, EncryptionMode mode, ILogger logger, TimeProvider timeProvider)
        : base(socket, logger)
    {
        _timeProvider = timeProvider;
        _mode = mode;
        _clusterId = Encoding.UTF8.GetBytes(clusterId);
        _keyIds = [.. keyring.KeyIds];
        _receiveCiphers = keyring.CreateCiphers();
        _sendCipher = keyring.CreatePrimaryCipher();
        _plaintextBuffer = GC.AllocateUninitializedArray<byte>(WireFormat.MaxUdpDatagramPayloadSize, pinned: true);
        _receiveAad = new byte[DatagramEnvelope.AuthenticatedHeaderLength + _clusterId.Length];
        _clusterId.CopyTo(_receiveAad, DatagramEnvelope.AuthenticatedHeaderLength);
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
    public int MaxMessageLength => _mode == EncryptionMode.Prepare ? WireFormat.MaxUdpDatagramPayloadSize : DatagramEnvelope.MaxMessageLength;

    /// <inheritdoc />
    public int Overhead => _mode == EncryptionMode.Prepare ? 0 : DatagramEnvelope.Overhead;

    private protected override int MaxSendLength => MaxMessageLength;

    private protected override bool ClearsSendBuffers => true;

    private int AadLength => DatagramEnvelope.AuthenticatedHeaderLength + _clusterId.Length;

    /// <summary>Opens a socket.</summary>
    /// <exception cref="IOException">The bind failed.</exception>
    public static EncryptedUdpSocket Open(
        IPEndPoint listenAddress, EncryptionKeyring keyring, string clusterId, EncryptionMode mode, ILogger logger, TimeProvider timeProvider)
    {
        var socket = Bind(listenAddress, logger);
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

    /// <summary>
    /// Authenticates, decrypts and decodes a received datagram. Called by the single receiver only (it uses the
    /// receive-side buffers); allocates nothing for a rejected datagram, except a forgery naming a known key.
    /// </summary>
    internal bool TryOpen(ReadOnlySpan<byte> datagram, [NotNullWhen(true)] out ChitchatMessage? message, out DropReason reason) =>
        TryOpen(datagram, out message, out reason, out _);

    private protected override MessageTooLargeException CreateTooLargeException(ChitchatMessage message, int length) => new(
        $"The serialized {message.Type} message is {length} bytes; an encrypted UDP datagram carries at most "
        + $"{MaxMessageLength} bytes of message ({DatagramEnvelope.Overhead} bytes go to the encryption). Nothing was sent.",
        length,
        MaxMessageLength);

    private protected override int SendBufferLength(int messageLength) => messageLength + DatagramEnvelope.Overhead + AadLength;

    private protected override int WriteDatagram(ChitchatMessage message, byte[] buffer)
    {
        if (_mode == EncryptionMode.Prepare)
        {
            return message.Serialize(buffer);
        }

        var written = message.Serialize(buffer.AsSpan(DatagramEnvelope.HeaderLength));
        var datagramEnd = written + DatagramEnvelope.Overhead;
        var aad = buffer.AsSpan(datagramEnd, AadLength);
        _clusterId.CopyTo(aad[DatagramEnvelope.AuthenticatedHeaderLength..]);
        lock (_sendGate)
        {
            ObjectDisposedException.ThrowIf(IsDisposed, this);
            return DatagramEnvelope.Seal(_sendCipher, _keyIds[0], (byte)message.Version, buffer, written, aad);
        }
    }

    private protected override bool TryReadDatagram(
        ReadOnlySpan<byte> datagram,
        [NotNullWhen(true)] out ChitchatMessage? message,
        out DatagramDropReason reason,
        out DecodeError error)
    {
        if (TryOpen(datagram, out message, out var dropReason, out error))
        {
            reason = default;
            return true;
        }

        reason = dropReason switch
        {
            DropReason.Plaintext => DatagramDropReason.PlaintextRefused,
            DropReason.UnknownKey => DatagramDropReason.UnknownKey,
            DropReason.Unauthentic => DatagramDropReason.AuthenticationFailed,
            _ => DatagramDropReasons.FromDecodeError(error.Kind),
        };
        RecordDrop(dropReason, datagram.Length);
        return false;
    }

    private protected override void RecordDrop(DatagramDropReason reason, DecodeError error, int length)
    {
        // Counted and logged per envelope reason by TryReadDatagram.
    }

    private protected override void OnDisposed()
    {
        lock (_sendGate)
        {
            _sendCipher.Dispose();
        }

        // The receive ciphers are left to the finalizer: a receive may still be running on them.
    }

    private bool TryOpen(ReadOnlySpan<byte> datagram, [NotNullWhen(true)] out ChitchatMessage? message, out DropReason reason, out DecodeError error)
    {
        message = null;
        error = default;
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

        if (ChitchatMessage.TryDeserialize(plaintext, out message, out error))
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
        if (Logger.IsEnabled(LogLevel.Warning))
        {
            Log.DroppedDatagram(Logger, length, CreateSourceEndPoint(), Describe(reason), suppressed);
        }
    }

    private static string Describe(DropReason reason) => reason switch
    {
        DropReason.Plaintext => "plaintext datagram, and encryption is required",
        DropReason.UnknownKey => "encrypted with a key that is not in the keyring",
        DropReason.Unauthentic => "encrypted datagram that does not authenticate (tampered, truncated, or sealed for another cluster id)",
        _ => "not a valid chitchat message",
    };

    /// <summary>The drop counters and log limiter of one reason (written by the single receiver).</summary>
    private sealed class DropLog
    {
        public long Total;
        public long Suppressed;
        public long LastLogged;
    }
}
