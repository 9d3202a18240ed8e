using Chitchat.Extensions.Hosting;
using Microsoft.Extensions.Diagnostics.HealthChecks;

// Extension methods for IServiceCollection live in its namespace, the Microsoft.Extensions convention.
#pragma warning disable IDE0130 // Namespace does not match folder structure
namespace Microsoft.Extensions.DependencyInjection;
#pragma warning restore IDE0130

/// <summary>Registers the health check of the chitchat node registered with <c>AddChitchat</c>.</summary>
public static class ChitchatHealthChecksBuilderExtensions
{
    /// <summary>
    /// Adds a health check of the node's membership: healthy while the node runs and sees at least
    /// <paramref name="minLivePeers"/> live peers; degraded when it sees some, but fewer; and
    /// <paramref name="failureStatus"/> when it is isolated (no live peer while some are expected), not started,
    /// or stopped.
    /// </summary>
    /// <remarks>
    /// Peers are the other members the node's failure detector considers live (the node itself is not counted).
    /// With <paramref name="minLivePeers"/> 0 a running node is always healthy, which suits a cluster of one.
    /// The result's data holds <c>live_peers</c>, <c>dead_peers</c>, <c>min_live_peers</c> and <c>cluster_id</c>.
    /// </remarks>
    /// <param name="builder">The health checks builder.</param>
    /// <param name="name">The check's name.</param>
    /// <param name="minLivePeers">The number of live peers below which the node is not healthy.</param>
    /// <param name="failureStatus">The status when the node is isolated or not running; <see cref="HealthStatus.Unhealthy"/> when <see langword="null"/>.</param>
    /// <param name="tags">Tags to filter checks by (for example "ready").</param>
    /// <returns>The health checks builder.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="minLivePeers"/> is negative.</exception>
    public static IHealthChecksBuilder AddChitchatHealthCheck(
        this IHealthChecksBuilder builder,
        string name = "chitchat",
        int minLivePeers = 1,
        HealthStatus? failureStatus = null,
        IEnumerable<string>? tags = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentException.ThrowIfNullOrEmpty(name);
        ArgumentOutOfRangeException.ThrowIfNegative(minLivePeers);
        return builder.Add(new HealthCheckRegistration(
            name,
            provider => new ChitchatHealthCheck(provider.GetRequiredService<ChitchatHostedService>(), minLivePeers),
            failureStatus,
            tags));
    }
}
