using Microsoft.Extensions.Logging;

namespace Chitchat.FailureDetection;

internal sealed partial class FailureDetector
{
    private static partial class Log
    {
        [LoggerMessage(EventId = 300, Level = LogLevel.Debug, Message = "Node {NodeId} is live (phi {Phi}, threshold {PhiThreshold})")]
        public static partial void NodeLive(ILogger logger, ChitchatId nodeId, double? phi, double phiThreshold);

        [LoggerMessage(EventId = 301, Level = LogLevel.Debug, Message = "Node {NodeId} is dead (phi {Phi}, threshold {PhiThreshold})")]
        public static partial void NodeDead(ILogger logger, ChitchatId nodeId, double? phi, double phiThreshold);

        [LoggerMessage(EventId = 302, Level = LogLevel.Debug, Message = "Forgetting node {NodeId}: dead for the whole grace period of {GracePeriod}")]
        public static partial void NodeGarbageCollected(ILogger logger, ChitchatId nodeId, TimeSpan gracePeriod);
    }
}
