using Chitchat.Testing;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Testing;
using static Chitchat.IntegrationTests.InMemoryCluster;

namespace Chitchat.IntegrationTests;

/// <summary>What a healthy cluster logs: per-datagram events at Debug only, with structured fields.</summary>
public sealed class ServerLoggingTests
{
    [Fact]
    public async Task HealthyCluster_Gossiping_LogsPerDatagramAtDebugAndNothingAboveInformation()
    {
        var provider = new FakeLoggerProvider();
        using var loggerFactory = LoggerFactory.Create(builder => builder.SetMinimumLevel(LogLevel.Trace).AddProvider(provider));
        var transport = NewTransport();
        var ids = Enumerable.Range(50_001, 3).Select(ChitchatId.ForLocalTest).ToList();
        var cluster = new TestCluster(transport, new ChitchatServerOptions { LoggerFactory = loggerFactory });
        var nodes = new List<ChitchatHandle>();
        try
        {
            foreach (var id in ids)
            {
                var seeds = ids.Where(other => !other.Equals(id)).Select(other => other.GossipAdvertiseAddr.ToString());
                nodes.Add(await cluster.StartNodeAsync(NodeConfig(id, seeds, TimeSpan.FromSeconds(20))));
            }

            foreach (var node in nodes)
            {
                await WaitForLiveNodesAsync(node, ids);
            }
        }
        finally
        {
            await cluster.DisposeAsync();
        }

        var records = provider.Collector.GetSnapshot();
        records.Where(record => record.Level > LogLevel.Information).Should().BeEmpty();
        var serverRecords = records.Where(record => record.Category == typeof(ChitchatServer).FullName).ToList();
        serverRecords.Count(record => record.Id.Id == 500).Should().Be(3, "one start per node");
        serverRecords.Count(record => record.Id.Id == 501).Should().Be(3, "one stop per node");
        serverRecords.Where(record => record.Id.Id is 506 or 513).Should().NotBeEmpty()
            .And.OnlyContain(record => record.Level == LogLevel.Debug && record.StructuredState!.Any(kv => kv.Key == "Peer"));
        serverRecords.Where(record => record.Id.Id == 513)
            .Should().OnlyContain(record => int.Parse(record.GetStructuredStateValue("Bytes")!) > 0);
    }
}
