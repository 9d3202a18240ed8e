using System.Net;
using Microsoft.Extensions.Logging;

namespace Chitchat.Server;

internal sealed partial class ServerLoop
{
    /// <summary>Log messages of the server loop: start, stop, failures (event ids 500–504, 511, 512).</summary>
    private static partial class Log
    {
        [LoggerMessage(EventId = 500, Level = LogLevel.Information, Message = "Chitchat server {NodeId} started on {LocalEndPoint}")]
        public static partial void ServerStarted(ILogger logger, ChitchatId nodeId, IPEndPoint localEndPoint);
        [LoggerMessage(EventId = 501, Level = LogLevel.Information, Message = "Chitchat server {NodeId} stopped")]
        public static partial void ServerStopped(ILogger logger, ChitchatId nodeId);
        [LoggerMessage(EventId = 502, Level = LogLevel.Warning, Message = "Chitchat server {NodeId} aborted")]
        public static partial void ServerAborted(ILogger logger, ChitchatId nodeId);
        [LoggerMessage(EventId = 503, Level = LogLevel.Critical, Message = "Chitchat server {NodeId} crashed; the node no longer gossips")]
        public static partial void ServerCrashed(ILogger logger, ChitchatId nodeId, Exception exception);
        [LoggerMessage(EventId = 504, Level = LogLevel.Error, Message = "Fatal receive error on {LocalEndPoint}, stopping the gossip loop")]
        public static partial void FatalReceiveError(ILogger logger, IPEndPoint localEndPoint, Exception exception);
        [LoggerMessage(EventId = 511, Level = LogLevel.Warning, Message = "Dropped a gossip request to {Peer}: {Capacity} requests are already queued")]
        public static partial void GossipCommandDropped(ILogger logger, IPEndPoint peer, int capacity);
        [LoggerMessage(EventId = 512, Level = LogLevel.Warning, Message = "Failed to release the socket on {LocalEndPoint}")]
        public static partial void SocketDisposeFailed(ILogger logger, IPEndPoint localEndPoint, Exception exception);
    }
}
