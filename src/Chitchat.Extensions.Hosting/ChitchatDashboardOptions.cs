namespace Chitchat.Extensions.Hosting;

/// <summary>How <c>MapChitchatDashboard</c> serves the node's dashboard.</summary>
/// <remarks>
/// The dashboard is read-only by default. <see cref="AllowWrites"/> lets the page set the node's own keys: only turn
/// it on behind authentication (the endpoints returned by <c>MapChitchatDashboard</c> accept
/// <c>RequireAuthorization</c>), since anyone who can reach the page could otherwise publish keys in the node's name.
/// </remarks>
public sealed class ChitchatDashboardOptions
{
    /// <summary>
    /// Gets or sets whether the page may set the node's own keys (<c>POST {prefix}/api/keys</c>). Off by default:
    /// anyone who can reach the page could otherwise publish keys in the node's name.
    /// </summary>
    public bool AllowWrites { get; set; }

    /// <summary>Gets or sets how often the live view sends the members' figures (phi and heartbeats move continuously). Default: 1 s.</summary>
    public TimeSpan RefreshPeriod { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>Gets or sets how many live views may be open at once; more get 503 (each holds a change stream). Default: 16.</summary>
    public int MaxLiveViews { get; set; } = 16;

    /// <summary>Gets or sets how many keys one key-browser answer lists at most. Default: 500.</summary>
    public int MaxKeysPerPage { get; set; } = 500;

    /// <summary>Gets or sets the failure detector's phi threshold, shown next to each member's phi (from the node's options).</summary>
    internal double PhiThreshold { get; set; } = 8.0;
}
