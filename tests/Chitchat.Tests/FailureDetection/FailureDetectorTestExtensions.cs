using Chitchat.FailureDetection;
using Microsoft.Extensions.Time.Testing;

namespace Chitchat.Tests.FailureDetection;

internal static class FailureDetectorTestExtensions
{
    /// <summary>
    /// Reports <paramref name="count"/> heartbeats of <paramref name="id"/>, <paramref name="period"/> apart, the
    /// first one now; returns right after the last report.
    /// </summary>
    public static void ReportEvery(this FailureDetector detector, FakeTimeProvider time, ChitchatId id, TimeSpan period, int count)
    {
        for (var i = 0; i < count; i++)
        {
            if (i > 0)
            {
                time.Advance(period);
            }

            detector.ReportHeartbeat(id);
        }
    }
}
