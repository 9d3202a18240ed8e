namespace Chitchat.Cli.Dashboard;

/// <summary>How the dashboard is served.</summary>
internal sealed class DashboardOptions
{
    /// <summary>
    /// Gets or sets whether the page may set the node's own keys (POST to <c>api/keys</c>). Off by default: anyone
    /// who can reach the page could otherwise publish keys in the node's name.
    /// </summary>
    public bool AllowWrites { get; set; }

    /// <summary>Gets or sets the failure detector's phi threshold, shown next to each member's phi.</summary>
    public double PhiThreshold { get; set; } = 8.0;

    /// <summary>Gets or sets how often the live view sends the members' figures (phi and heartbeats move continuously).</summary>
    public TimeSpan RefreshPeriod { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>Gets or sets how many live views may be open at once; more get 503 (each holds a change stream).</summary>
    public int MaxLiveViews { get; set; } = 16;

    /// <summary>Gets or sets how many keys one key-browser answer lists at most.</summary>
    public int MaxKeysPerPage { get; set; } = 500;
}
