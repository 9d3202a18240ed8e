using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.Logging;

namespace Chitchat.Transport;

internal sealed partial class EncryptedUdpSocket
{
    private static partial class Log
    {
        [LoggerMessage(621, LogLevel.Warning,
            "encrypted-transport-drop: dropped {PayloadLength} bytes from {RemoteEndPoint}: {Reason} ({SuppressedCount} similar drops not logged since the last entry)")]
        public static partial void DroppedDatagram(ILogger logger, int payloadLength, IPEndPoint remoteEndPoint, string reason, long suppressedCount);

        [LoggerMessage(602, LogLevel.Warning, "transient UDP recv error on {LocalEndPoint}: {SocketError}")]
        public static partial void TransientReceiveError(ILogger logger, IPEndPoint localEndPoint, SocketError socketError, Exception exception);

        [LoggerMessage(603, LogLevel.Error, "fatal UDP recv error on {LocalEndPoint}: {SocketError}")]
        public static partial void FatalReceiveError(ILogger logger, IPEndPoint localEndPoint, SocketError socketError, Exception exception);
    }
}
