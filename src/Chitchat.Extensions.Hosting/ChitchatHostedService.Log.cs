using Microsoft.Extensions.Logging;

namespace Chitchat.Extensions.Hosting;

internal sealed partial class ChitchatHostedService
{
    /// <summary>Log messages of the hosting package (event ids 1000–1099).</summary>
    private static partial class Log
    {
        [LoggerMessage(EventId = 1000, Level = LogLevel.Information, Message = "Chitchat node {NodeId} started with the host (cluster {ClusterId}, {SeedCount} seeds)")]
        public static partial void NodeStarted(ILogger logger, ChitchatId nodeId, string clusterId, int seedCount);

        [LoggerMessage(EventId = 1001, Level = LogLevel.Information, Message = "Chitchat node {NodeId} left the cluster and stopped with the host")]
        public static partial void NodeStopped(ILogger logger, ChitchatId nodeId);

        [LoggerMessage(EventId = 1002, Level = LogLevel.Warning, Message = "Chitchat node {NodeId} did not stop within the host's shutdown timeout and was aborted")]
        public static partial void NodeAbortedOnShutdownTimeout(ILogger logger, ChitchatId nodeId);

        [LoggerMessage(EventId = 1003, Level = LogLevel.Error, Message = "Chitchat node {NodeId} had already failed when the host stopped")]
        public static partial void NodeHadFailed(ILogger logger, ChitchatId nodeId, Exception exception);
    }
}
