using System.Net;
using Chitchat.Wire;
using Microsoft.Extensions.Logging;

namespace Chitchat.Server;

internal sealed partial class GossipEngine
{
    /// <summary>Log messages of the gossip engine: messages handled and sent, gossip rounds (event ids 505–510, 513).</summary>
    private static partial class Log
    {
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
        [LoggerMessage(EventId = 513, Level = LogLevel.Debug, Message = "Sent {MessageType} {ProtocolVersion} of {Bytes} bytes to {Peer}")]
        public static partial void MessageSent(ILogger logger, MessageType messageType, ProtocolVersion protocolVersion, int bytes, IPEndPoint peer);
    }
}
