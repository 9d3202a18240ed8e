using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Chitchat.Extensions.Hosting;

/// <summary>
/// The membership health check (<c>AddChitchatHealthCheck</c>): the node runs and sees enough live peers.
/// Reads the live-members watch and one cluster snapshot; never blocks on the node's loop.
/// </summary>
internal sealed class ChitchatHealthCheck(ChitchatHostedService host, int minLivePeers) : IHealthCheck
{
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(context);
        var failureStatus = context.Registration.FailureStatus;
        if (!host.TryGetHandle(out var handle))
        {
            return Task.FromResult(new HealthCheckResult(failureStatus, "The chitchat node has not started."));
        }

        if (handle.Termination.IsCompleted)
        {
            return Task.FromResult(new HealthCheckResult(
                failureStatus,
                "The chitchat node has stopped.",
                handle.Termination.Exception?.GetBaseException()));
        }

        var self = handle.ChitchatId;
        var live = handle.Chitchat.LiveMembers.Current;
        var livePeers = live.Contains(self) ? live.Count - 1 : live.Count;
        var state = handle.Chitchat.GetClusterState();
        var data = new Dictionary<string, object>(StringComparer.Ordinal)
        {
            ["live_peers"] = livePeers,
            ["dead_peers"] = state.DeadNodes.Count,
            ["min_live_peers"] = minLivePeers,
            ["cluster_id"] = state.ClusterId,
        };

        HealthCheckResult result;
        if (livePeers >= minLivePeers)
        {
            result = HealthCheckResult.Healthy($"{livePeers} live peers (at least {minLivePeers} expected).", data);
        }
        else if (livePeers == 0)
        {
            result = new HealthCheckResult(failureStatus, $"Isolated: no live peer (at least {minLivePeers} expected).", data: data);
        }
        else
        {
            result = HealthCheckResult.Degraded($"{livePeers} live peers, fewer than the {minLivePeers} expected.", data: data);
        }

        return Task.FromResult(result);
    }
}
