using System.Net;
using Microsoft.Extensions.Logging;

namespace Chitchat.Server;

internal sealed partial class SeedResolver
{
    /// <summary>Log messages of seed resolution (event ids 520–523).</summary>
    private static partial class Log
    {
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
