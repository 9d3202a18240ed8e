using System.Net;
using System.Net.Sockets;
using Chitchat.Server;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;
using static Chitchat.Tests.Server.ServerTestSupport;

namespace Chitchat.Tests.Server;

/// <summary>Seeds and DNS.</summary>
public sealed class SeedResolverTests
{
    [Theory]
    [InlineData("1.2.3.4:7280", "1.2.3.4:7280")]
    [InlineData("[::1]:7280", "[::1]:7280")]
    [InlineData("[::ffff:10.0.0.1]:80", "10.0.0.1:80")]
    public void TryParseSocketAddress_IpWithPort_ParsesAndMapsIpv4(string seed, string expected)
    {
        SeedResolver.TryParseSocketAddress(seed, out var endPoint).Should().BeTrue();
        endPoint.Should().Be(IPEndPoint.Parse(expected));
    }

    [Theory]
    [InlineData("localhost:7280")]
    [InlineData("1.2.3.4")]
    [InlineData("::1")]
    [InlineData("my-host")]
    public void TryParseSocketAddress_NotAnIpSocketAddress_ReturnsFalse(string seed) =>
        SeedResolver.TryParseSocketAddress(seed, out _).Should().BeFalse();

    [Theory]
    [InlineData("localhost:7280", "localhost", 7280)]
    [InlineData("svc.ns.cluster.local:10000", "svc.ns.cluster.local", 10000)]
    [InlineData("[fe80::1%eth0]:80", "fe80::1%eth0", 80)]
    public void TrySplitHostPort_HostAndPort_Splits(string seed, string host, int port)
    {
        SeedResolver.TrySplitHostPort(seed, out var parsedHost, out var parsedPort).Should().BeTrue();
        parsedHost.Should().Be(host);
        parsedPort.Should().Be(port);
    }

    [Theory]
    [InlineData("localhost")]
    [InlineData("localhost:")]
    [InlineData("localhost:http")]
    [InlineData("localhost:70000")]
    [InlineData(":80")]
    public void TrySplitHostPort_NoValidPort_ReturnsFalse(string seed) =>
        SeedResolver.TrySplitHostPort(seed, out _, out _).Should().BeFalse();

    [Fact]
    public async Task ResolveAsync_LocalhostWithSystemResolver_UsesEveryLoopbackAddress()
    {
        var resolver = new SeedResolver(["localhost:7281"], resolver: null, NullLogger.Instance);
        var expected = (await Dns.GetHostAddressesAsync("localhost"))
            .Select(address => new IPEndPoint(address.IsIPv4MappedToIPv6 ? address.MapToIPv4() : address, 7281))
            .ToHashSet();

        var seeds = await resolver.ResolveAsync(CancellationToken.None);

        seeds.Should().BeEquivalentTo(expected);
        seeds.Should().Contain(new IPEndPoint(IPAddress.Loopback, 7281));
        if (expected.Any(endPoint => endPoint.AddressFamily == AddressFamily.InterNetworkV6))
        {
            seeds.Should().Contain(new IPEndPoint(IPAddress.IPv6Loopback, 7281), "every A and AAAA record is a seed");
        }
    }

    [Fact]
    public async Task ResolveAsync_HostWithSeveralAddresses_UsesAllAndMapsIpv4MappedToIpv4()
    {
        var resolver = new SeedResolver(
            ["10.0.0.1:7000", "multi.test:7001", "multi.test:7001"],
            (_, _) => Task.FromResult(new[] { IPAddress.Parse("10.0.0.2"), IPAddress.Parse("::ffff:10.0.0.3"), IPAddress.Parse("fd00::4") }),
            NullLogger.Instance);

        var seeds = await resolver.ResolveAsync(CancellationToken.None);

        seeds.Should().BeEquivalentTo(new[]
        {
            IPEndPoint.Parse("10.0.0.1:7000"),
            IPEndPoint.Parse("10.0.0.2:7001"),
            IPEndPoint.Parse("10.0.0.3:7001"),
            IPEndPoint.Parse("[fd00::4]:7001"),
        });
    }

    [Fact]
    public async Task ResolveAsync_LookupFailsOrNoPort_LogsAndKeepsTheOtherSeeds()
    {
        using var loggerFactory = CollectingLoggerFactory(out var logs);
        var resolver = new SeedResolver(
            ["10.0.0.1:7000", "broken.test:7001", "no-port.test", "ok.test:7002"],
            (host, _) => host == "broken.test"
                ? Task.FromException<IPAddress[]>(new SocketException((int)SocketError.HostNotFound))
                : Task.FromResult(new[] { IPAddress.Parse("10.0.0.9") }),
            loggerFactory.CreateLogger("test"));

        var seeds = await resolver.ResolveAsync(CancellationToken.None);

        seeds.Should().BeEquivalentTo(new[] { IPEndPoint.Parse("10.0.0.1:7000"), IPEndPoint.Parse("10.0.0.9:7002") });
        logs.GetSnapshot().Where(r => r.Id.Id == 521 && r.Level == LogLevel.Warning)
            .Select(r => r.Message).Should().SatisfyRespectively(
                first => first.Should().Contain("broken.test:7001"),
                second => second.Should().Contain("no-port.test"));
    }

    [Fact]
    public async Task SpawnChitchatAsync_HostSeed_ResolvesBeforeReturning()
    {
        var lookup = new TaskCompletionSource<IPAddress[]>(TaskCreationOptions.RunContinuationsAsynchronously);
        var config = ChitchatConfig.ForTest(7101);
        config.SeedNodes = ["seed.test:7000"];
        var options = new ChitchatServerOptions { TimeProvider = new FakeTimeProvider(), DnsResolver = (_, _) => lookup.Task };

        var spawn = ChitchatServer.SpawnChitchatAsync(config, NewTransport(), options);

        spawn.IsCompleted.Should().BeFalse("the first gossip round must know the seeds");
        lookup.SetResult([IPAddress.Parse("10.1.1.1")]);
        await using var server = await spawn.WaitAsync(TestTimeout);
        server.WithChitchat(chitchat => chitchat.SeedNodes).Should().BeEquivalentTo(new[] { IPEndPoint.Parse("10.1.1.1:7000") });
    }

    [Fact]
    public async Task SpawnChitchatAsync_HostSeedLookupFails_StartsWithStaticSeeds()
    {
        var config = ChitchatConfig.ForTest(7102);
        config.SeedNodes = ["10.0.0.1:7000", "nowhere.test:7000"];
        var options = new ChitchatServerOptions
        {
            TimeProvider = new FakeTimeProvider(),
            DnsResolver = (_, _) => Task.FromException<IPAddress[]>(new SocketException((int)SocketError.HostNotFound)),
        };

        await using var server = await ChitchatServer.SpawnChitchatAsync(config, NewTransport(), options);

        server.WithChitchat(chitchat => chitchat.SeedNodes).Should().BeEquivalentTo(new[] { IPEndPoint.Parse("10.0.0.1:7000") });
    }

    [Fact]
    public async Task DnsRefresh_EverySixtySeconds_ReplacesTheSeedSet()
    {
        var time = new FakeTimeProvider();
        var answers = new Queue<Func<IPAddress[]>>([
            () => [IPAddress.Parse("10.1.1.1")],
            () => [IPAddress.Parse("10.2.2.2"), IPAddress.Parse("::ffff:10.3.3.3")],
            () => throw new SocketException((int)SocketError.TryAgain),
        ]);
        var calls = 0;
        var config = ChitchatConfig.ForTest(7103);
        config.SeedNodes = ["10.0.0.1:7000", "seed.test:7000"];
        var options = new ChitchatServerOptions
        {
            TimeProvider = time,
            DnsResolver = (host, _) =>
            {
                host.Should().Be("seed.test");
                Interlocked.Increment(ref calls);
                lock (answers)
                {
                    return Task.FromResult(answers.Dequeue()());
                }
            },
        };
        await using var server = await ChitchatServer.SpawnChitchatAsync(config, NewTransport(), options);
        IReadOnlySet<IPEndPoint> Seeds() => server.WithChitchat(chitchat => chitchat.SeedNodes);
        Seeds().Should().BeEquivalentTo(new[] { IPEndPoint.Parse("10.0.0.1:7000"), IPEndPoint.Parse("10.1.1.1:7000") });

        // Not before 60 s.
        time.Advance(TimeSpan.FromSeconds(59));
        Volatile.Read(ref calls).Should().Be(1);

        time.Advance(TimeSpan.FromSeconds(1));
        await EventuallyAsync(() => Seeds().Contains(IPEndPoint.Parse("10.2.2.2:7000")), "the refresh replaced the seeds");
        Seeds().Should().BeEquivalentTo(new[]
        {
            IPEndPoint.Parse("10.0.0.1:7000"), IPEndPoint.Parse("10.2.2.2:7000"), IPEndPoint.Parse("10.3.3.3:7000"),
        });

        // A failed lookup contributes nothing this time; the static seed stays.
        time.Advance(TimeSpan.FromSeconds(60));
        await EventuallyAsync(() => Seeds().Count == 1, "the failed refresh dropped the resolved seeds");
        Seeds().Should().BeEquivalentTo(new[] { IPEndPoint.Parse("10.0.0.1:7000") });
        Volatile.Read(ref calls).Should().Be(3);
    }

    [Fact]
    public async Task DnsRefresh_ConfiguredInterval_ResolvesAtThatPeriod()
    {
        var time = new FakeTimeProvider();
        var calls = 0;
        var config = ChitchatConfig.ForTest(7106);
        config.SeedNodes = ["seed.test:7000"];
        config.SeedRefreshInterval = TimeSpan.FromSeconds(2);
        var options = new ChitchatServerOptions
        {
            TimeProvider = time,
            DnsResolver = (_, _) =>
            {
                var call = Interlocked.Increment(ref calls);
                return Task.FromResult(new[] { IPAddress.Parse($"10.9.0.{call}") });
            },
        };
        await using var server = await ChitchatServer.SpawnChitchatAsync(config, NewTransport(), options);
        IReadOnlySet<IPEndPoint> Seeds() => server.WithChitchat(chitchat => chitchat.SeedNodes);
        Seeds().Should().BeEquivalentTo(new[] { IPEndPoint.Parse("10.9.0.1:7000") });

        time.Advance(TimeSpan.FromMilliseconds(1_999));
        Volatile.Read(ref calls).Should().Be(1);

        time.Advance(TimeSpan.FromMilliseconds(1));
        await EventuallyAsync(() => Seeds().Contains(IPEndPoint.Parse("10.9.0.2:7000")), "the first refresh after 2 s");
        time.Advance(TimeSpan.FromSeconds(2));
        await EventuallyAsync(() => Seeds().Contains(IPEndPoint.Parse("10.9.0.3:7000")), "the second refresh after 4 s");
        Seeds().Should().BeEquivalentTo(new[] { IPEndPoint.Parse("10.9.0.3:7000") });
    }

    [Theory]
    [InlineData(0)]
    [InlineData(-1)]
    public void Validate_NonPositiveSeedRefreshInterval_Throws(int milliseconds)
    {
        var config = ChitchatConfig.ForTest(7107);
        config.SeedRefreshInterval = TimeSpan.FromMilliseconds(milliseconds);

        var act = config.Validate;

        act.Should().Throw<ArgumentException>().WithMessage("*SeedRefreshInterval must be positive*");
    }

    [Fact]
    public void SeedRefreshInterval_Default_IsSixtySeconds() =>
        ChitchatConfig.ForTest(7108).SeedRefreshInterval.Should().Be(TimeSpan.FromSeconds(60));

    [Fact]
    public async Task DnsRefresh_AfterShutdown_StopsResolving()
    {
        var time = new FakeTimeProvider();
        var calls = 0;
        var config = ChitchatConfig.ForTest(7104);
        config.SeedNodes = ["seed.test:7000"];
        var options = new ChitchatServerOptions
        {
            TimeProvider = time,
            DnsResolver = (_, _) =>
            {
                Interlocked.Increment(ref calls);
                return Task.FromResult(new[] { IPAddress.Parse("10.1.1.1") });
            },
        };
        var server = await ChitchatServer.SpawnChitchatAsync(config, NewTransport(), options);

        await server.ShutdownAsync().WaitAsync(TestTimeout);
        time.Advance(TimeSpan.FromMinutes(5));

        Volatile.Read(ref calls).Should().Be(1);
    }

    [Fact]
    public async Task SpawnChitchatAsync_OnlyIpSeeds_NeverCallsTheResolver()
    {
        var time = new FakeTimeProvider();
        var config = ChitchatConfig.ForTest(7105);
        config.SeedNodes = ["10.0.0.1:7000", "[fd00::1]:7000"];
        var options = new ChitchatServerOptions
        {
            TimeProvider = time,
            DnsResolver = (_, _) => throw new InvalidOperationException("no lookup expected"),
        };
        await using var server = await ChitchatServer.SpawnChitchatAsync(config, NewTransport(), options);

        time.Advance(TimeSpan.FromMinutes(2));

        server.WithChitchat(chitchat => chitchat.SeedNodes).Should().HaveCount(2);
    }
}
