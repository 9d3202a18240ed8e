using System.Diagnostics.Metrics;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.Metrics.Testing;
using Microsoft.Extensions.Hosting;

namespace Chitchat.Extensions.Hosting.Tests;

/// <summary>AddChitchat creates the node's "Chitchat" meter through the container's IMeterFactory.</summary>
public sealed class HostedMetricsTests
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(20);

    [Fact]
    public async Task AddChitchat_ContainerWithMetrics_MeterCreatedByTheContainersFactory()
    {
        using var timeout = new CancellationTokenSource(Timeout);
        var builder = Host.CreateEmptyApplicationBuilder(new HostApplicationBuilderSettings());
        builder.Services.AddMetrics();
        builder.Services.AddChitchat(options =>
        {
            options.NodeId = "hosted-metrics";
            options.ListenAddress = "127.0.0.1:0";
            options.ClusterId = "hosting-tests";
        });
        using var host = builder.Build();
        var meterFactory = host.Services.GetRequiredService<IMeterFactory>();
        using var members = new MetricCollector<int>(meterFactory, "Chitchat", "chitchat.members");

        await host.StartAsync(timeout.Token);
        members.RecordObservableInstruments();

        members.GetMeasurementSnapshot().Should().HaveCount(3, "live, dead and scheduled for deletion")
            .And.OnlyContain(m => (string?)m.Tags["chitchat.node.id"] == "hosted-metrics");
        members.Instrument!.Meter.Scope.Should().BeSameAs(meterFactory);
        await host.StopAsync(timeout.Token);
    }
}
