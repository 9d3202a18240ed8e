using System.Net;
using System.Net.Sockets;
using Chitchat.Transport;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;

namespace Chitchat.Extensions.Hosting.Tests;

/// <summary>AddChitchat with a real generic host: start and stop with the host, DI resolution, binding, validation.</summary>
public sealed class HostedNodeTests
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(20);

    [Fact]
    public async Task AddChitchat_HostStartsAndStops_RealUdpNodeRunsWithTheHost()
    {
        using var timeout = new CancellationTokenSource(Timeout);
        var builder = Host.CreateEmptyApplicationBuilder(new HostApplicationBuilderSettings());
        builder.Services.AddChitchat(options =>
        {
            options.NodeId = "hosted";
            options.ListenAddress = "127.0.0.1:0";
            options.ClusterId = "hosting-tests";
            options.GossipInterval = TimeSpan.FromMilliseconds(50);
        });
        using var host = builder.Build();

        await host.StartAsync(timeout.Token);
        var handle = host.Services.GetRequiredService<ChitchatHandle>();
        var chitchat = host.Services.GetRequiredService<ChitchatRef>();
        var port = handle.ChitchatId.GossipAdvertiseEndPoint.Port;

        chitchat.Should().BeSameAs(handle.Chitchat);
        handle.ChitchatId.NodeId.Should().Be("hosted");
        port.Should().NotBe(0, "port 0 binds a free port and advertises it");
        handle.Termination.IsCompleted.Should().BeFalse();
        PortIsFree(port).Should().BeFalse("the running node holds its UDP socket");

        await host.StopAsync(timeout.Token);

        handle.Termination.IsCompletedSuccessfully.Should().BeTrue("the host stops the node gracefully");
        PortIsFree(port).Should().BeTrue("the stopped node released its UDP socket");
    }

    [Fact]
    public async Task AddChitchat_TwoHostsSeededOverUdp_SeeEachOtherAndTheirInitialKeys()
    {
        using var timeout = new CancellationTokenSource(Timeout);
        using var hostA = BuildUdpHost("node-a", seed: null, role: "seed");
        await hostA.StartAsync(timeout.Token);
        var nodeA = hostA.Services.GetRequiredService<ChitchatHandle>();
        using var hostB = BuildUdpHost("node-b", seed: nodeA.ChitchatId.GossipAdvertiseEndPoint.ToString(), role: "worker");
        await hostB.StartAsync(timeout.Token);
        var nodeB = hostB.Services.GetRequiredService<ChitchatHandle>();

        var chitchatA = hostA.Services.GetRequiredService<ChitchatRef>();
        await chitchatA.LiveMembers.WaitForAsync(live => live.Contains(nodeB.ChitchatId), timeout.Token);
        await WaitUntilAsync(() => chitchatA.TryGetNodeState(nodeB.ChitchatId, out var state) && state.ContainsKey("role"), timeout.Token);

        chitchatA.TryGetNodeState(nodeB.ChitchatId, out var stateOfB).Should().BeTrue();
        stateOfB!.TryGetValue("role", out var role).Should().BeTrue();
        role.Should().Be("worker");

        await hostB.StopAsync(timeout.Token);
        await hostA.StopAsync(timeout.Token);
    }

    [Fact]
    public async Task AddChitchat_FromConfigurationSection_BindsEndpointsDurationsSeedsAndKeys()
    {
        using var timeout = new CancellationTokenSource(Timeout);
        var builder = Host.CreateEmptyApplicationBuilder(new HostApplicationBuilderSettings());
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Chitchat:NodeId"] = "configured",
            ["Chitchat:ClusterId"] = "from-config",
            ["Chitchat:ListenAddress"] = "127.0.0.1:0",
            ["Chitchat:GossipInterval"] = "00:00:00.250",
            ["Chitchat:SeedNodes:0"] = "127.0.0.1:9",
            ["Chitchat:SeedNodes:1"] = "seed.example:7280",
            ["Chitchat:InitialKeyValues:role"] = "indexer",
            ["Chitchat:FailureDetectorConfig:PhiThreshold"] = "9.5",
        });
        builder.Services.AddChitchat(builder.Configuration.GetSection("Chitchat"))
            .AddInitialKeyValue("version", "1.2.3");
        using var host = builder.Build();

        await host.StartAsync(timeout.Token);
        var options = host.Services.GetRequiredService<IOptions<ChitchatConfig>>().Value;
        var self = host.Services.GetRequiredService<ChitchatRef>().GetSelfNodeState();

        options.ClusterId.Should().Be("from-config");
        options.GossipInterval.Should().Be(TimeSpan.FromMilliseconds(250));
        options.SeedNodes.Should().Equal("127.0.0.1:9", "seed.example:7280");
        options.FailureDetectorConfig.PhiThreshold.Should().Be(9.5);
        self.ChitchatId.NodeId.Should().Be("configured");
        self.TryGetValue("role", out var role).Should().BeTrue();
        role.Should().Be("indexer");
        self.TryGetValue("version", out var version).Should().BeTrue();
        version.Should().Be("1.2.3");

        await host.StopAsync(timeout.Token);
    }

    [Fact]
    public async Task AddChitchat_InvalidOptions_HostDoesNotStartAndNamesEachBadValue()
    {
        var builder = Host.CreateEmptyApplicationBuilder(new HostApplicationBuilderSettings());
        builder.Services.AddChitchat(options =>
        {
            options.NodeId = "";
            options.ListenAddress = "127.0.0.1:0";
            options.SeedNodes = ["not a seed"];
            options.GossipInterval = TimeSpan.Zero;
        });
        using var host = builder.Build();

        var start = () => host.StartAsync();

        var failure = (await start.Should().ThrowAsync<OptionsValidationException>()).Which;
        failure.Failures.Should().HaveCount(3);
        failure.Message.Should().Contain("NodeId must not be empty")
            .And.Contain("Seed 'not a seed' is invalid")
            .And.Contain("GossipInterval must be positive");
        var resolve = () => host.Services.GetRequiredService<ChitchatRef>();
        resolve.Should().Throw<InvalidOperationException>().WithMessage("*not running yet*");
    }

    [Fact]
    public void ChitchatRef_ResolvedBeforeTheHostStarts_ThrowsWithAClearMessage()
    {
        var builder = Host.CreateEmptyApplicationBuilder(new HostApplicationBuilderSettings());
        builder.Services.AddChitchat(options => options.NodeId = "early");
        using var host = builder.Build();

        var resolve = () => host.Services.GetRequiredService<ChitchatRef>();

        resolve.Should().Throw<InvalidOperationException>().WithMessage("*starts with the host*");
    }

    [Fact]
    public async Task AddChitchat_GenerationLeftAtZero_IsTheStartTimeInSeconds()
    {
        var start = new DateTimeOffset(2026, 12, 1, 11, 0, 0, TimeSpan.Zero);
        var builder = Host.CreateEmptyApplicationBuilder(new HostApplicationBuilderSettings());
        builder.Services.AddSingleton<TimeProvider>(new FakeTimeProvider(start));
        builder.Services.AddChitchat(options =>
        {
            options.NodeId = "generation";
            options.ListenAddress = "10.0.0.1:7280";
        }).UseTransport(new Chitchat.Testing.InMemoryTransport());
        using var host = builder.Build();

        await host.StartAsync();
        var id = host.Services.GetRequiredService<ChitchatRef>().ChitchatId;
        // The fake clock never advances, so the two leave rounds would never elapse: stop at once.
        await host.StopAsync(new CancellationToken(canceled: true));

        id.GenerationId.Should().Be((ulong)start.ToUnixTimeSeconds());
    }

    [Fact]
    public async Task AddChitchat_ExplicitGeneration_IsKept()
    {
        var builder = Host.CreateEmptyApplicationBuilder(new HostApplicationBuilderSettings());
        builder.Services.AddChitchat(options =>
        {
            options.NodeId = "generation";
            options.GenerationId = 42;
            options.GossipInterval = TimeSpan.FromMilliseconds(50);
            options.ListenAddress = "10.0.0.1:7280";
        }).UseTransport(_ => new Chitchat.Testing.InMemoryTransport());
        using var host = builder.Build();

        await host.StartAsync();
        var id = host.Services.GetRequiredService<ChitchatRef>().ChitchatId;
        await host.StopAsync();

        id.GenerationId.Should().Be(42);
    }

    [Fact]
    public async Task StopAsync_ShutdownTimeoutAlreadyExpired_AbortsTheNodeAndReturns()
    {
        var builder = Host.CreateEmptyApplicationBuilder(new HostApplicationBuilderSettings());
        builder.Services.AddChitchat(options =>
        {
            options.NodeId = "impatient";
            options.ListenAddress = "127.0.0.1:0";
        });
        using var host = builder.Build();
        await host.StartAsync();
        var handle = host.Services.GetRequiredService<ChitchatHandle>();

        await host.StopAsync(new CancellationToken(canceled: true));

        // Whether the graceful stop or the abort ended the loop first, it has ended and released the socket.
        await handle.Termination.ContinueWith(_ => { }, TaskScheduler.Default).WaitAsync(Timeout);
        PortIsFree(handle.ChitchatId.GossipAdvertiseEndPoint.Port).Should().BeTrue();
    }

    [Fact]
    public async Task AddKeyChangeListener_PeerSetsAKey_CallbackReceivesItWithTheHostServices()
    {
        using var timeout = new CancellationTokenSource(Timeout);
        var transport = new Chitchat.Testing.InMemoryTransport();
        await using var peers = new Chitchat.Testing.TestCluster(transport);
        var peer = await peers.StartNodeAsync(new ChitchatConfig
        {
            NodeId = "peer",
            GenerationId = 1,
            ListenAddress = "10.0.0.2:7280",
            GossipInterval = TimeSpan.FromMilliseconds(50),
        }, timeout.Token);
        var received = new TaskCompletionSource<(Chitchat.Changes.ClusterChange Change, bool HasServices)>(TaskCreationOptions.RunContinuationsAsynchronously);
        var builder = Host.CreateEmptyApplicationBuilder(new HostApplicationBuilderSettings());
        builder.Services.AddChitchat(options =>
            {
                options.NodeId = "listener";
                options.ListenAddress = "10.0.0.1:7280";
                options.GossipInterval = TimeSpan.FromMilliseconds(50);
                options.SeedNodes = ["10.0.0.2:7280"];
            })
            .UseTransport(transport)
            .AddKeyChangeListener("service.", (services, change) =>
                received.TrySetResult((change, services.GetService<ChitchatRef>() is not null)));
        using var host = builder.Build();
        await host.StartAsync(timeout.Token);

        peer.Chitchat.Set("service.http", "10.0.0.2:8080");
        var (change, hasServices) = await received.Task.WaitAsync(timeout.Token);

        change.Kind.Should().Be(Chitchat.Changes.ClusterChangeKind.KeySet);
        (change.Key, change.Value, change.Node).Should().Be(("service.http", "10.0.0.2:8080", peer.ChitchatId));
        hasServices.Should().BeTrue();
        await host.StopAsync(timeout.Token);
    }

    [Fact]
    public async Task StopAsync_HostStops_NodeLeavesGracefullyAndPeersReportItLeft()
    {
        using var timeout = new CancellationTokenSource(Timeout);
        var transport = new Chitchat.Testing.InMemoryTransport();
        await using var peers = new Chitchat.Testing.TestCluster(transport);
        var peer = await peers.StartNodeAsync(new ChitchatConfig
        {
            NodeId = "peer",
            GenerationId = 1,
            ListenAddress = "10.0.0.2:7280",
            GossipInterval = TimeSpan.FromMilliseconds(50),
        }, timeout.Token);
        await using var changes = peer.Chitchat.WatchChangesAsync(cancellationToken: timeout.Token).GetAsyncEnumerator(timeout.Token);
        var next = changes.MoveNextAsync(); // subscribes now
        var builder = Host.CreateEmptyApplicationBuilder(new HostApplicationBuilderSettings());
        builder.Services.AddChitchat(options =>
            {
                options.NodeId = "leaving";
                options.ListenAddress = "10.0.0.1:7280";
                options.GossipInterval = TimeSpan.FromMilliseconds(50);
                options.SeedNodes = ["10.0.0.2:7280"];
            })
            .UseTransport(transport);
        using var host = builder.Build();
        await host.StartAsync(timeout.Token);
        var hosted = host.Services.GetRequiredService<ChitchatRef>().ChitchatId;
        await peer.Chitchat.LiveMembers.WaitForAsync(live => live.Contains(hosted), timeout.Token);
        await host.Services.GetRequiredService<ChitchatRef>().LiveMembers.WaitForAsync(live => live.Contains(peer.ChitchatId), timeout.Token);

        await host.StopAsync(timeout.Token);

        var kinds = new List<Chitchat.Changes.ClusterChangeKind>();
        while (true)
        {
            (await next).Should().BeTrue("the peer's change stream runs until the node left");
            if (changes.Current.Node == hosted && changes.Current.Kind is not Chitchat.Changes.ClusterChangeKind.KeySet)
            {
                kinds.Add(changes.Current.Kind);
            }

            if (kinds.Contains(Chitchat.Changes.ClusterChangeKind.MemberLeft))
            {
                break;
            }

            next = changes.MoveNextAsync();
        }

        // (A member's first assessment may be "dead", before its second heartbeat; after it was live, only "left".)
        kinds.SkipWhile(kind => kind != Chitchat.Changes.ClusterChangeKind.MemberLive).Should().Equal(
            Chitchat.Changes.ClusterChangeKind.MemberLive,
            Chitchat.Changes.ClusterChangeKind.MemberLeft);
        peer.Chitchat.LiveMembers.Current.Should().NotContain(hosted);
    }

    private static IHost BuildUdpHost(string nodeId, string? seed, string role)
    {
        var builder = Host.CreateEmptyApplicationBuilder(new HostApplicationBuilderSettings());
        builder.Services.AddChitchat(options =>
            {
                options.NodeId = nodeId;
                options.ListenAddress = "127.0.0.1:0";
                options.ClusterId = "hosting-tests";
                options.GossipInterval = TimeSpan.FromMilliseconds(50);
                if (seed is not null)
                {
                    options.SeedNodes = [seed];
                }
            })
            .UseTransport(services => new UdpTransport())
            .AddInitialKeyValue("role", role);
        return builder.Build();
    }

    private static bool PortIsFree(int port)
    {
        try
        {
            using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
            socket.Bind(new IPEndPoint(IPAddress.Loopback, port));
            return true;
        }
        catch (SocketException)
        {
            return false;
        }
    }

    private static async Task WaitUntilAsync(Func<bool> condition, CancellationToken cancellationToken)
    {
        using var timer = new PeriodicTimer(TimeSpan.FromMilliseconds(20));
        while (!condition())
        {
            await timer.WaitForNextTickAsync(cancellationToken);
        }
    }
}
