using System.Text;
using Chitchat.Transport;
using Microsoft.Extensions.Configuration;

namespace Chitchat.Tests.Api;

/// <summary>The options bind from configuration, report every invalid value, and accept port 0.</summary>
public sealed class ChitchatConfigTests
{
    private static IConfiguration FromJson(string json) =>
        new ConfigurationBuilder().AddJsonStream(new MemoryStream(Encoding.UTF8.GetBytes(json))).Build();

    [Fact]
    public void Get_FromJsonText_BindsEveryKindOfSetting()
    {
        var configuration = FromJson("""
            {
              "Chitchat": {
                "NodeId": "node-1",
                "GenerationId": 42,
                "ListenAddress": "0.0.0.0:7280",
                "GossipAdvertiseAddress": "10.0.0.1:7280",
                "ClusterId": "prod",
                "GossipInterval": "00:00:00.250",
                "SeedNodes": [ "10.0.0.2:7280", "chitchat.default.svc:7280" ],
                "MarkedForDeletionGracePeriod": "01:00:00",
                "InitialKeyValues": { "role": "indexer" },
                "FailureDetectorConfig": { "PhiThreshold": 10.5, "DeadNodeGracePeriod": "00:30:00" }
              }
            }
            """);

        var config = configuration.GetSection("Chitchat").Get<ChitchatConfig>()!;

        config.NodeId.Should().Be("node-1");
        config.GenerationId.Should().Be(42);
        config.ListenAddress.Should().Be("0.0.0.0:7280");
        config.GossipAdvertiseAddress.Should().Be("10.0.0.1:7280");
        config.ClusterId.Should().Be("prod");
        config.GossipInterval.Should().Be(TimeSpan.FromMilliseconds(250));
        config.SeedNodes.Should().Equal("10.0.0.2:7280", "chitchat.default.svc:7280");
        config.MarkedForDeletionGracePeriod.Should().Be(TimeSpan.FromHours(1));
        config.InitialKeyValues.Should().Contain("role", "indexer");
        config.FailureDetectorConfig.PhiThreshold.Should().Be(10.5);
        config.FailureDetectorConfig.DeadNodeGracePeriod.Should().Be(TimeSpan.FromMinutes(30));
        config.Invoking(c => c.Validate()).Should().NotThrow();
        config.ChitchatId.Should().Be(new ChitchatId("node-1", 42, System.Net.IPEndPoint.Parse("10.0.0.1:7280")));
    }

    [Theory]
    [InlineData("""{ "NodeId": "" }""", "NodeId must not be empty")]
    [InlineData("""{ "ClusterId": "" }""", "ClusterId must not be empty")]
    [InlineData("""{ "GossipAdvertiseAddress": "0.0.0.0:7280" }""", "GossipAdvertiseAddress must not be 0.0.0.0")]
    [InlineData("""{ "ListenAddress": "0.0.0.0:7280", "GossipAdvertiseAddress": "" }""", "GossipAdvertiseAddress is required when ListenAddress is 0.0.0.0:7280")]
    [InlineData("""{ "ListenAddress": "10.0.0.1" }""", "ListenAddress '10.0.0.1' is not an IP endpoint")]
    [InlineData("""{ "SeedNodes": [ "10.0.0.2" ] }""", "Seed '10.0.0.2' is invalid: write ip:port or host:port (a seed needs a port)")]
    [InlineData("""{ "SeedNodes": [ "not a seed" ] }""", "Seed 'not a seed' is invalid")]
    [InlineData("""{ "SeedNodes": [ "host:0" ] }""", "Seed 'host:0' is invalid: the port must be a number from 1 to 65535")]
    [InlineData("""{ "MarkedForDeletionGracePeriod": "00:00:00" }""", "MarkedForDeletionGracePeriod must be positive")]
    [InlineData("""{ "GossipInterval": "00:00:00" }""", "GossipInterval must be positive")]
    [InlineData("""{ "FailureDetectorConfig": { "DeadNodeGracePeriod": "00:00:00" } }""", "FailureDetectorConfig.DeadNodeGracePeriod must be positive")]
    [InlineData("""{ "FailureDetectorConfig": { "PhiThreshold": 0 } }""", "FailureDetectorConfig: PhiThreshold must be a finite number greater than zero*")]
    public void Validate_BadValue_NamesItInTheMessage(string overrides, string expected)
    {
        var config = new ChitchatConfig { NodeId = "node-1", ListenAddress = "127.0.0.1:7280" };
        FromJson(overrides).Bind(config);

        var act = () => config.Validate();

        act.Should().Throw<ArgumentException>().WithMessage($"*{expected}*");
    }

    [Fact]
    public void Validate_SeveralBadValues_ReportsThemAll()
    {
        var config = new ChitchatConfig { NodeId = "", ClusterId = "", SeedNodes = ["not a seed"] };

        var act = () => config.Validate();

        act.Should().Throw<ArgumentException>()
            .Which.Message.Should().ContainAll("NodeId", "ClusterId", "GossipAdvertiseAddress is required", "Seed 'not a seed'");
    }

    [Theory]
    [InlineData("10.0.0.2:7280")]
    [InlineData("[::1]:7280")]
    [InlineData("chitchat-0.chitchat.default.svc.cluster.local:7280")]
    [InlineData("localhost:1")]
    public void Validate_GoodSeeds_AreAccepted(string seed)
    {
        var config = new ChitchatConfig { NodeId = "node-1", ListenAddress = "127.0.0.1:7280", SeedNodes = [seed] };

        config.Invoking(c => c.Validate()).Should().NotThrow();
    }

    [Fact]
    public async Task SpawnChitchatAsync_Port0_AdvertisesTheBoundPort()
    {
        var config = new ChitchatConfig { NodeId = "node-1", ListenAddress = "127.0.0.1:0" };

        await using var node = await ChitchatServer.SpawnChitchatAsync(config, new UdpTransport());

        node.ChitchatId.GossipAdvertiseEndPoint.Port.Should().BeGreaterThan(0);
        node.Chitchat.GetClusterState().Self.Should().Be(node.ChitchatId);
        node.Chitchat.GetSelfNodeState().ChitchatId.Should().Be(node.ChitchatId);
    }

    [Fact]
    public async Task SpawnChitchatAsync_Port0WithExplicitAdvertiseHost_KeepsTheHostAndTakesTheBoundPort()
    {
        var config = new ChitchatConfig { NodeId = "node-1", ListenAddress = "0.0.0.0:0", GossipAdvertiseAddress = "127.0.0.1:0" };

        await using var node = await ChitchatServer.SpawnChitchatAsync(config, new UdpTransport());

        var advertised = node.ChitchatId.GossipAdvertiseEndPoint;
        advertised.Address.Should().Be(System.Net.IPAddress.Loopback);
        advertised.Port.Should().BeGreaterThan(0);
    }
}
