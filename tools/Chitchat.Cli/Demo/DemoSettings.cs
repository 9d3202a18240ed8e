namespace Chitchat.Cli.Demo;

/// <summary>The settings of <c>chitchat demo</c>.</summary>
internal sealed record DemoSettings(
    int NodeCount,
    int? BasePort,
    TimeSpan GossipInterval,
    TimeSpan DeadNodeGracePeriod,
    bool Follow,
    bool? Interactive)
{
    /// <summary>The cluster id of the demo nodes.</summary>
    public const string ClusterId = "chitchat-demo";

    /// <summary>
    /// Scales a step's time bound with the gossip interval: the default bounds are generous for 300 ms, and a
    /// slower interval needs proportionally more time.
    /// </summary>
    public TimeSpan Bound(TimeSpan atDefaultInterval) =>
        TimeSpan.FromTicks(Math.Max(atDefaultInterval.Ticks, (long)(atDefaultInterval.Ticks * (GossipInterval.TotalMilliseconds / 300.0))));
}
