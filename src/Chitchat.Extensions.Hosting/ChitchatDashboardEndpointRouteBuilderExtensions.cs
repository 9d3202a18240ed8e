using Chitchat;
using Chitchat.Extensions.Hosting;
using Chitchat.Extensions.Hosting.Dashboard;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;

// Endpoint extension methods live in ASP.NET Core's namespace, as MapHealthChecks does.
#pragma warning disable IDE0130 // Namespace does not match folder structure
namespace Microsoft.AspNetCore.Builder;
#pragma warning restore IDE0130

/// <summary>Maps the web dashboard of the chitchat node registered with <c>AddChitchat</c>.</summary>
public static class ChitchatDashboardEndpointRouteBuilderExtensions
{
    /// <summary>
    /// Maps a live web dashboard of the node's view of the cluster under <paramref name="prefix"/>: the members
    /// with their state (live, suspected, joining, dead, scheduled for deletion), phi against the threshold,
    /// heartbeat, key count and version; a key browser; the change stream as an event log; cluster totals.
    /// </summary>
    /// <remarks>
    /// <para>
    /// The page is served at <c>{prefix}/</c> from assets embedded in the package (no CDN) and updates itself with
    /// server-sent events from the node's change stream. Its JSON API: <c>GET {prefix}/api/state</c>,
    /// <c>GET {prefix}/api/keys?member={node id}@{generation}&amp;prefix={key prefix}</c>,
    /// <c>GET {prefix}/api/events</c> (server-sent events), and, only with
    /// <see cref="ChitchatDashboardOptions.AllowWrites"/>, <c>POST {prefix}/api/keys</c> to set the node's own keys.
    /// </para>
    /// <para>
    /// Read-only by default. The dashboard shows every key of every member: expose it only where that is acceptable,
    /// or require authorization on the returned builder (<c>.RequireAuthorization()</c>).
    /// </para>
    /// </remarks>
    /// <param name="endpoints">The application's endpoint route builder.</param>
    /// <param name="prefix">The path the dashboard is served under.</param>
    /// <param name="configure">Changes the dashboard's options.</param>
    /// <returns>The endpoints' builder, to add conventions such as authorization.</returns>
    /// <exception cref="InvalidOperationException"><c>AddChitchat</c> was not called on the application's services.</exception>
    /// <exception cref="ArgumentOutOfRangeException">An option is out of range (a period or a count not positive).</exception>
    public static IEndpointConventionBuilder MapChitchatDashboard(
        this IEndpointRouteBuilder endpoints,
        string prefix = "/chitchat",
        Action<ChitchatDashboardOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(endpoints);
        ArgumentNullException.ThrowIfNull(prefix);
        var services = endpoints.ServiceProvider;
        if (services.GetService<IServiceProviderIsService>() is { } isService && !isService.IsService(typeof(ChitchatRef)))
        {
            throw new InvalidOperationException(
                "MapChitchatDashboard needs the chitchat node: register it with services.AddChitchat(...) first.");
        }

        var options = new ChitchatDashboardOptions();
        configure?.Invoke(options);
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(options.RefreshPeriod, TimeSpan.Zero, nameof(options.RefreshPeriod));
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(options.MaxLiveViews, nameof(options.MaxLiveViews));
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(options.MaxKeysPerPage, nameof(options.MaxKeysPerPage));
        return DashboardEndpoints.Map(endpoints, new DashboardNode(services, options), options, "/" + prefix.Trim('/'));
    }
}
