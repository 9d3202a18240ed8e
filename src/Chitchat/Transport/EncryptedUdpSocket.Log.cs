using System.Net;
using Microsoft.Extensions.Logging;

namespace Chitchat.Transport;

internal sealed partial class EncryptedUdpSocket
{
    // Receive errors are logged by UdpSocket's receive loop, which this socket uses.
    private static partial class Log
    {
        [LoggerMessage(621, LogLevel.Warning,
            "encrypted-transport-drop: dropped {PayloadLength} bytes from {RemoteEndPoint}: {Reason} ({SuppressedCount} similar drops not logged since the last entry)")]
        public static partial void DroppedDatagram(ILogger logger, int payloadLength, IPEndPoint remoteEndPoint, string reason, long suppressedCount);
    }
}
