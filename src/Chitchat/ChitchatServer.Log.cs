using System.Net;
using Chitchat.Server;
using Chitchat.Wire;
using Microsoft.Extensions.Logging;

namespace Chitchat;

public static partial class ChitchatServer
{
    /// <summary>Log messages of the server layer (event ids 500–599).</summary>
    internal static partial class Log
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

        [LoggerMessage(EventId = 505, Level = LogLevel.Error, Message = "Failed to process a {MessageType} message from {Peer}; the message is dropped")]
        public static partial void MessageProcessingFailed(ILogger logger, MessageType messageType, IPEndPoint peer, Exception exception);

        [LoggerMessage(EventId = 506, Level = LogLevel.Debug, Message = "Received {MessageType} from {Peer}")]
        public static partial void MessageReceived(ILogger logger, MessageType messageType, IPEndPoint peer);

        [LoggerMessage(EventId = 507, Level = LogLevel.Debug, Message = "Failed to send a {MessageType} reply to {Peer}")]
        public static partial void ReplyFailed(ILogger logger, MessageType messageType, IPEndPoint peer, Exception exception);

        [LoggerMessage(EventId = 508, Level = LogLevel.Warning, Message = "Failed to gossip with {GossipKind} node {Peer}")]
        public static partial void GossipFailed(ILogger logger, GossipKind gossipKind, IPEndPoint peer, Exception exception);

        [LoggerMessage(EventId = 509, Level = LogLevel.Debug, Message = "Failed to gossip with {GossipKind} node {Peer}")]
        public static partial void GossipFailedQuiet(ILogger logger, GossipKind gossipKind, IPEndPoint peer, Exception exception);

        [LoggerMessage(EventId = 510, Level = LogLevel.Debug, Message = "Gossip round: {TargetCount} targets, dead node {DeadNode}, seed {SeedNode}")]
        public static partial void GossipRound(ILogger logger, int targetCount, IPEndPoint? deadNode, IPEndPoint? seedNode);

        [LoggerMessage(EventId = 511, Level = LogLevel.Warning, Message = "Dropped a gossip request to {Peer}: {Capacity} requests are already queued")]
        public static partial void GossipCommandDropped(ILogger logger, IPEndPoint peer, int capacity);

        [LoggerMessage(EventId = 512, Level = LogLevel.Warning, Message = "Failed to release the socket on {LocalEndPoint}")]
        public static partial void SocketDisposeFailed(ILogger logger, IPEndPoint localEndPoint, Exception exception);

        [LoggerMessage(EventId = 513, Level = LogLevel.Debug, Message = "Sent {MessageType} {ProtocolVersion} of {Bytes} bytes to {Peer}")]
        public static partial void MessageSent(ILogger logger, MessageType messageType, ProtocolVersion protocolVersion, int bytes, IPEndPoint peer);

        [LoggerMessage(EventId = 520, Level = LogLevel.Debug, Message = "Resolved seed {Seed} to {SeedAddr}")]
        public static partial void SeedResolved(ILogger logger, string seed, IPEndPoint seedAddr);

        [LoggerMessage(EventId = 521, Level = LogLevel.Warning, Message = "Failed to look up seed {Seed}: {Reason}")]
        public static partial void SeedLookupFailed(ILogger logger, string seed, string reason, Exception? exception);

        [LoggerMessage(EventId = 522, Level = LogLevel.Debug, Message = "Refreshed the seeds: {SeedCount} addresses")]
        public static partial void SeedsRefreshed(ILogger logger, int seedCount);

        [LoggerMessage(EventId = 523, Level = LogLevel.Error, Message = "The seed refresh loop failed; the seeds are no longer refreshed")]
        public static partial void SeedRefreshLoopFailed(ILogger logger, Exception exception);
    }
}
