using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.Logging;

namespace Chitchat.Transport;

internal partial class UdpSocket
{
    private static partial class Log
    {
        [LoggerMessage(601, LogLevel.Warning,
            "invalid-chitchat-payload: dropped {PayloadLength} bytes from {RemoteEndPoint}: {DecodeError} ({SuppressedCount} similar drops not logged before this one)")]
        public static partial void InvalidPayload(ILogger logger, int payloadLength, IPEndPoint remoteEndPoint, string decodeError, long suppressedCount);

        [LoggerMessage(602, LogLevel.Warning, "transient UDP recv error on {LocalEndPoint}: {SocketError}")]
        public static partial void TransientReceiveError(ILogger logger, IPEndPoint localEndPoint, SocketError socketError, Exception exception);

        [LoggerMessage(604, LogLevel.Debug, "UDP receive buffer: {ReceiveBufferSize} bytes (asked for {DesiredReceiveBufferSize})")]
        public static partial void ReceiveBufferSize(ILogger logger, int receiveBufferSize, int desiredReceiveBufferSize);

        [LoggerMessage(603, LogLevel.Error, "fatal UDP recv error on {LocalEndPoint}: {SocketError}")]
        public static partial void FatalReceiveError(ILogger logger, IPEndPoint localEndPoint, SocketError socketError, Exception exception);
    }
}
