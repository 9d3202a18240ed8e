using Chitchat.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Hosting;

namespace Chitchat.Extensions.Hosting.Tests;

/// <summary>AddChitchatHealthCheck over an in-memory cluster: not started, isolated, degraded, healthy, stopped.</summary>
public sealed class HealthCheckTests : IAsyncLifetime
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(20);
    private readonly InMemoryTransport _transport = new();
    private readonly TestCluster _peers;
    private readonly CancellationTokenSource _timeout = new(Timeout);

    public HealthCheckTests() => _peers = new TestCluster(_transport);

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync()
    {
        await _peers.DisposeAsync();
        _timeout.Dispose();
    }

    [Fact]
    public async Task Check_HostNotStarted_IsUnhealthy()
    {
        using var host = BuildHost(minLivePeers: 1);

        var report = await CheckAsync(host);

        report.Status.Should().Be(HealthStatus.Unhealthy);
        report.Description.Should().Contain("has not started");
    }

    [Fact]
    public async Task Check_NoPeerReachable_IsIsolatedWithTheFailureStatus()
    {
        using var host = BuildHost(minLivePeers: 1, failureStatus: HealthStatus.Degraded);
        await host.StartAsync(_timeout.Token);

        var report = await CheckAsync(host);

        report.Status.Should().Be(HealthStatus.Degraded, "the registration's failure status applies to an isolated node");
        report.Description.Should().StartWith("Isolated");
        report.Data["live_peers"].Should().Be(0);
        await host.StopAsync(_timeout.Token);
    }

    [Fact]
    public async Task Check_ZeroPeersExpected_SingleNodeIsHealthy()
    {
        using var host = BuildHost(minLivePeers: 0);
        await host.StartAsync(_timeout.Token);

        var report = await CheckAsync(host);

        report.Status.Should().Be(HealthStatus.Healthy);
        await host.StopAsync(_timeout.Token);
    }

    [Fact]
    public async Task Check_FewerLivePeersThanExpected_IsDegraded_ThenHealthyWhenEnoughJoin()
    {
        var first = await StartPeerAsync("peer-1", "10.0.0.2:7280");
        using var host = BuildHost(minLivePeers: 2);
        await host.StartAsync(_timeout.Token);
        var chitchat = host.Services.GetRequiredService<ChitchatRef>();
        await chitchat.LiveMembers.WaitForAsync(live => live.Contains(first.ChitchatId), _timeout.Token);

        var degraded = await CheckAsync(host);

        degraded.Status.Should().Be(HealthStatus.Degraded);
        degraded.Data["live_peers"].Should().Be(1);
        degraded.Data["min_live_peers"].Should().Be(2);

        var second = await StartPeerAsync("peer-2", "10.0.0.3:7280");
        await chitchat.LiveMembers.WaitForAsync(live => live.Contains(second.ChitchatId), _timeout.Token);

        var healthy = await CheckAsync(host);

        healthy.Status.Should().Be(HealthStatus.Healthy);
        healthy.Data["live_peers"].Should().Be(2);
        healthy.Data["cluster_id"].Should().Be("health");
        await host.StopAsync(_timeout.Token);
    }

    [Fact]
    public async Task Check_AfterTheHostStopped_IsUnhealthy()
    {
        await StartPeerAsync("peer-1", "10.0.0.2:7280");
        using var host = BuildHost(minLivePeers: 1);
        await host.StartAsync(_timeout.Token);
        await host.StopAsync(_timeout.Token);

        var report = await CheckAsync(host);

        report.Status.Should().Be(HealthStatus.Unhealthy);
        report.Description.Should().Contain("stopped");
    }

    private async Task<ChitchatHandle> StartPeerAsync(string nodeId, string address) =>
        await _peers.StartNodeAsync(
            new ChitchatConfig
            {
                NodeId = nodeId,
                GenerationId = 1,
                ClusterId = "health",
                ListenAddress = address,
                GossipInterval = TimeSpan.FromMilliseconds(50),
                SeedNodes = ["10.0.0.1:7280"],
            },
            _timeout.Token);

    private IHost BuildHost(int minLivePeers, HealthStatus? failureStatus = null)
    {
        var builder = Host.CreateEmptyApplicationBuilder(new HostApplicationBuilderSettings());
        builder.Services.AddChitchat(options =>
            {
                options.NodeId = "observed";
                options.ClusterId = "health";
                options.ListenAddress = "10.0.0.1:7280";
                options.GossipInterval = TimeSpan.FromMilliseconds(50);
            })
            .UseTransport(_transport);
        builder.Services.AddHealthChecks().AddChitchatHealthCheck(minLivePeers: minLivePeers, failureStatus: failureStatus);
        return builder.Build();
    }

    private async Task<HealthReportEntry> CheckAsync(IHost host)
    {
        var report = await host.Services.GetRequiredService<HealthCheckService>().CheckHealthAsync(_timeout.Token);
        return report.Entries["chitchat"];
    }
}
