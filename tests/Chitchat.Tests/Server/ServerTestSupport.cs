using System.Net;
using Chitchat.Transport;
using Chitchat.Wire;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Testing;

namespace Chitchat.Tests.Server;

/// <summary>
/// A random source whose every draw is the smallest possible value, like the counter RNG of chitchat's
/// server tests (outputs 0, 1, 2, … read as fractions of 2^64: ≈ 0), so every "with probability p > 0"
/// branch is taken.
/// </summary>
internal sealed class ZeroRandom : Random
{
    public override int Next() => 0;

    public override int Next(int maxValue) => 0;

    public override int Next(int minValue, int maxValue) => minValue;

    public override long NextInt64() => 0;

    public override long NextInt64(long maxValue) => 0;

    public override long NextInt64(long minValue, long maxValue) => minValue;

    public override double NextDouble() => 0.0;

    public override float NextSingle() => 0f;

    protected override double Sample() => 0.0;
}

/// <summary>Helpers shared by the server tests.</summary>
internal static class ServerTestSupport
{
    /// <summary>Generous bound for anything that should happen "at once" (the machine may be loaded).</summary>
    public static readonly TimeSpan TestTimeout = TimeSpan.FromSeconds(10);

    public static IPEndPoint Loopback(int port) => new(IPAddress.Loopback, port);

    public static InMemoryTransport NewTransport() => InMemoryTransport.WithMtu(WireFormat.MaxUdpDatagramPayloadSize);

    /// <summary>Receives the next message, failing the test after <see cref="TestTimeout"/>.</summary>
    public static async Task<ReceivedMessage> ReceiveAsync(this ISocket socket, TimeSpan? timeout = null)
    {
        using var cts = new CancellationTokenSource(timeout ?? TestTimeout);
        return await socket.ReceiveAsync(cts.Token);
    }

    /// <summary>Receives messages until one of type <typeparamref name="T"/> arrives (others are skipped).</summary>
    public static async Task<(IPEndPoint From, T Message)> ReceiveAsync<T>(this ISocket socket, TimeSpan? timeout = null)
        where T : ChitchatMessage
    {
        using var cts = new CancellationTokenSource(timeout ?? TestTimeout);
        while (true)
        {
            var (from, message, _) = await socket.ReceiveAsync(cts.Token);
            if (message is T typed)
            {
                return (from, typed);
            }
        }
    }

    /// <summary>A logger factory whose records land in <paramref name="collector"/>.</summary>
    public static ILoggerFactory CollectingLoggerFactory(out FakeLogCollector collector)
    {
        var provider = new FakeLoggerProvider();
        collector = provider.Collector;
        return LoggerFactory.Create(builder => builder.SetMinimumLevel(LogLevel.Trace).AddProvider(provider));
    }

    /// <summary>Polls <paramref name="condition"/> until it holds, failing after <paramref name="timeout"/>.</summary>
    public static async Task EventuallyAsync(Func<bool> condition, string because, TimeSpan? timeout = null)
    {
        var deadline = DateTime.UtcNow + (timeout ?? TestTimeout);
        while (!condition())
        {
            if (DateTime.UtcNow > deadline)
            {
                throw new Xunit.Sdk.XunitException($"Timed out waiting until {because}.");
            }

            await Task.Delay(10);
        }
    }
}
