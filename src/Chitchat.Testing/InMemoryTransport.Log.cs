using System.Net;
using Microsoft.Extensions.Logging;

namespace Chitchat.Testing;

public sealed partial class InMemoryTransport
{
    private static partial class Log
    {
        [LoggerMessage(611, LogLevel.Debug, "in-memory socket opened at {LocalEndPoint}")]
        public static partial void Opened(ILogger logger, IPEndPoint localEndPoint);

        [LoggerMessage(612, LogLevel.Debug, "in-memory socket closed at {LocalEndPoint}")]
        public static partial void Closed(ILogger logger, IPEndPoint localEndPoint);

        [LoggerMessage(613, LogLevel.Debug, "inbox of {LocalEndPoint} is full or closed: dropped a message from {RemoteEndPoint}")]
        public static partial void InboxFull(ILogger logger, IPEndPoint localEndPoint, IPEndPoint remoteEndPoint);
    }
}
