using System.Net;
using Chitchat.Testing;
using Chitchat.Wire;
using Microsoft.Extensions.Time.Testing;

namespace Chitchat.Tests.Transport;

/// <summary>The <see cref="TransportExtensions"/> decorators, over an <see cref="InMemoryTransport"/>.</summary>
public sealed class TransportExtensionsTests
{
    private static readonly IPEndPoint s_a = new(IPAddress.Loopback, 1);
    private static readonly IPEndPoint s_b = new(IPAddress.Loopback, 2);
    private readonly InMemoryTransport _inner = new();

    [Fact]
    public async Task DropMessages_ProbabilityOne_DeliversNothing()
    {
        var transport = _inner.DropMessages(1.0);
        await using var a = await transport.OpenAsync(s_a);
        await using var b = await transport.OpenAsync(s_b);

        for (var i = 0; i < 20; i++)
        {
            await a.SendAsync(s_b, TestMessages.SampleSyn());
        }

        // The broker counts every message handed to it: none reached it.
        _inner.Statistics.NumMessagesTotal.Should().Be(0);
    }

    [Fact]
    public async Task DropMessages_ProbabilityZero_DeliversEverything()
    {
        var transport = _inner.DropMessages(0.0);
        await using var a = await transport.OpenAsync(s_a);
        await using var b = await transport.OpenAsync(s_b);

        for (var i = 0; i < 20; i++)
        {
            await a.SendAsync(s_b, TestMessages.SampleSyn());
        }

        _inner.Statistics.NumMessagesTotal.Should().Be(20);
        for (var i = 0; i < 20; i++)
        {
            (await b.ReceiveWithTimeoutAsync()).From.Should().Be(s_a);
        }
    }

    [Fact]
    public async Task DropMessages_HalfWithSeed_DropsAboutHalfReproducibly()
    {
        var first = await CountForwardedAsync(0.5, seed: 42, sends: 1_000);
        var second = await CountForwardedAsync(0.5, seed: 42, sends: 1_000);

        first.Should().BeInRange(400UL, 600UL);
        second.Should().Be(first);
    }

    [Theory]
    [InlineData(-0.1)]
    [InlineData(1.1)]
    [InlineData(double.NaN)]
    public void DropMessages_ProbabilityOutsideUnitInterval_Throws(double probability)
    {
        var decorate = () => _inner.DropMessages(probability);

        decorate.Should().Throw<ArgumentOutOfRangeException>();
    }

    [Fact]
    public async Task Delay_BeforeDelayElapses_NotDelivered_AfterAdvance_Delivered()
    {
        var time = new FakeTimeProvider();
        var transport = _inner.Delay(_ => TimeSpan.FromSeconds(1), time);
        await using var a = await transport.OpenAsync(s_a);
        await using var b = await transport.OpenAsync(s_b);

        await a.SendAsync(s_b, TestMessages.SampleSyn());
        time.Advance(TimeSpan.FromMilliseconds(999));

        _inner.Statistics.NumMessagesTotal.Should().Be(0);
        using (var shortWait = new CancellationTokenSource(TimeSpan.FromMilliseconds(50)))
        {
            await b.Awaiting(s => s.ReceiveAsync(shortWait.Token).AsTask()).Should().ThrowAsync<OperationCanceledException>();
        }

        time.Advance(TimeSpan.FromMilliseconds(1));

        var received = await b.ReceiveWithTimeoutAsync();
        received.From.Should().Be(s_a);
        received.Message.Should().Be(TestMessages.SampleSyn());
    }

    [Fact]
    public async Task Delay_PendingReceiveOnSender_DoesNotHoldUpDelayedSends()
    {
        var time = new FakeTimeProvider();
        var transport = _inner.Delay(_ => TimeSpan.FromSeconds(1), time);
        await using var a = await transport.OpenAsync(s_a);
        await using var b = await transport.OpenAsync(s_b);
        using var stopReceiving = new CancellationTokenSource();
        var pendingOnSender = a.ReceiveAsync(stopReceiving.Token).AsTask();

        await a.SendAsync(s_b, TestMessages.SampleSyn());
        time.Advance(TimeSpan.FromSeconds(1));

        (await b.ReceiveWithTimeoutAsync()).From.Should().Be(s_a);
        pendingOnSender.IsCompleted.Should().BeFalse();
        await stopReceiving.CancelAsync();
        await pendingOnSender.Awaiting(p => p).Should().ThrowAsync<OperationCanceledException>();
    }

    [Fact]
    public async Task Delay_SocketDisposedBeforeDelayElapses_DropsPendingSends()
    {
        var time = new FakeTimeProvider();
        var transport = _inner.Delay(_ => TimeSpan.FromSeconds(1), time);
        await using var b = await transport.OpenAsync(s_b);
        var a = await transport.OpenAsync(s_a);

        await a.SendAsync(s_b, TestMessages.SampleSyn());
        await a.DisposeAsync();
        time.Advance(TimeSpan.FromSeconds(2));

        _inner.Statistics.NumMessagesTotal.Should().Be(0);
        await using var reopened = await _inner.OpenAsync(s_a);
    }

    [Fact]
    public async Task Delay_MoreThan1024SendsInFlight_DropsTheExcess()
    {
        var time = new FakeTimeProvider();
        var transport = _inner.Delay(_ => TimeSpan.FromSeconds(1), time);
        await using var a = await transport.OpenAsync(s_a);

        for (var i = 0; i < 1_100; i++)
        {
            await a.SendAsync(s_b, TestMessages.SampleSyn());
        }

        time.Advance(TimeSpan.FromSeconds(1));

        using var timeout = new CancellationTokenSource(TestMessages.ReceiveTimeout);
        while (_inner.Statistics.NumMessagesTotal < 1_024)
        {
            await Task.Delay(5, timeout.Token);
        }

        // Give any (wrongly) admitted extra send the chance to show up.
        await Task.Delay(50);
        _inner.Statistics.NumMessagesTotal.Should().Be(1_024);

        // Once the in-flight sends have completed, new sends are admitted again.
        await a.SendAsync(s_b, TestMessages.SampleSyn());
        time.Advance(TimeSpan.FromSeconds(1));
        while (_inner.Statistics.NumMessagesTotal < 1_025)
        {
            await Task.Delay(5, timeout.Token);
        }
    }

    [Fact]
    public async Task Delay_SamplerGetsASeededGenerator_DelaysAreReproducible()
    {
        var first = await SampleDelaysAsync(seed: 3);
        var second = await SampleDelaysAsync(seed: 3);

        second.Should().Equal(first);
    }

    [Fact]
    public async Task Decorators_Stacked_PassThroughReceiveAndAddress()
    {
        var time = new FakeTimeProvider();
        var transport = _inner.DropMessages(0.0).Delay(_ => TimeSpan.Zero, time);
        await using var a = await transport.OpenAsync(s_a);
        await using var b = await transport.OpenAsync(s_b);

        await a.SendAsync(s_b, ChitchatMessage.BadCluster.Instance);

        a.LocalEndPoint.Should().Be(s_a);
        (await b.ReceiveWithTimeoutAsync()).Message.Should().Be(ChitchatMessage.BadCluster.Instance);
    }

    private static async Task<ulong> CountForwardedAsync(double probability, int seed, int sends)
    {
        var inner = new InMemoryTransport();
        var transport = inner.DropMessages(probability, seed);
        await using var a = await transport.OpenAsync(s_a);
        for (var i = 0; i < sends; i++)
        {
            await a.SendAsync(s_b, TestMessages.SampleSyn());
        }

        return inner.Statistics.NumMessagesTotal;
    }

    private static async Task<List<double>> SampleDelaysAsync(int seed)
    {
        var samples = new List<double>();
        var transport = new InMemoryTransport().Delay(
            random =>
            {
                var delay = random.NextDouble();
                samples.Add(delay);
                return TimeSpan.FromSeconds(delay);
            },
            new FakeTimeProvider(),
            seed);
        await using var a = await transport.OpenAsync(s_a);
        await using var b = await transport.OpenAsync(s_b);
        for (var i = 0; i < 5; i++)
        {
            await a.SendAsync(s_b, TestMessages.SampleSyn());
            await b.SendAsync(s_a, TestMessages.SampleSyn());
        }

        return samples;
    }
}
