using Microsoft.Extensions.Logging;

namespace Chitchat.Listeners;

internal sealed partial class ListenerRegistry
{
    private static partial class Log
    {
        [LoggerMessage(EventId = 400, Level = LogLevel.Warning, Message = "Key-change listener on prefix '{Prefix}' threw while handling key '{Key}' of node {NodeId}; the other listeners still run")]
        public static partial void ListenerFailed(ILogger logger, Exception exception, string prefix, string key, ChitchatId nodeId);
    }
}
