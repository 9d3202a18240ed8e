using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace Chitchat.Extensions.Hosting.Dashboard;

/// <summary>
/// The node a dashboard shows and the member history it keeps, both resolved once the host has started the node
/// (the endpoints are mapped before that): when the application has started, or at the first request.
/// </summary>
internal sealed class DashboardNode
{
    private readonly IServiceProvider _services;
    private readonly ChitchatDashboardOptions _options;
    private readonly Lock _gate = new();
    private (ChitchatRef Node, MemberHistory History)? _value;

    public DashboardNode(IServiceProvider services, ChitchatDashboardOptions options)
    {
        _services = services;
        _options = options;
        var lifetime = services.GetService<IHostApplicationLifetime>();
        Stopping = lifetime?.ApplicationStopping ?? CancellationToken.None;
        TimeProvider = services.GetService<TimeProvider>() ?? TimeProvider.System;

        // Start following the change stream as soon as the node runs, so that members live before the first page
        // opens are remembered as once live (shown dead, not joining, if they die).
        lifetime?.ApplicationStarted.Register(static state => ((DashboardNode)state!).TryStart(), this);
    }

    /// <summary>Gets the token cancelled when the host begins to stop.</summary>
    public CancellationToken Stopping { get; }

    /// <summary>Gets the clock of the live view's refresh period.</summary>
    public TimeProvider TimeProvider { get; }

    /// <summary>Gets the running node and its member history.</summary>
    /// <exception cref="InvalidOperationException">The node is not running yet.</exception>
    public (ChitchatRef Node, MemberHistory History) Get()
    {
        lock (_gate)
        {
            if (_value is { } value)
            {
                return value;
            }

            var node = _services.GetRequiredService<ChitchatRef>();

            // The node runs, so its options were bound and validated: show phi against its threshold.
            if (_services.GetService<IOptions<ChitchatConfig>>() is { } config)
            {
                _options.PhiThreshold = config.Value.FailureDetectorConfig.PhiThreshold;
            }

            value = (node, MemberHistory.Track(node));
            _value = value;
            return value;
        }
    }

    private void TryStart()
    {
        try
        {
            Get();
        }
        catch (InvalidOperationException)
        {
            // The node did not start with the host (the application runs it otherwise): the first request resolves it.
        }
    }
}
