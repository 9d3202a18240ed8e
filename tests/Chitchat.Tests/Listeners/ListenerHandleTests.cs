using Chitchat.Changes;
using System.Net;
using Chitchat.Listeners;

namespace Chitchat.Tests.Listeners;

// Subscription lifetime: Dispose / Forever, and changes to the registry while (or from where) it triggers.
public sealed class ListenerHandleTests
{
    private static readonly ChitchatId s_node = new("node7280", 0, new IPEndPoint(IPAddress.Loopback, 7280));

    [Fact]
    public void Dispose_Twice_IsIdempotentAndLeavesOtherListeners()
    {
        var registry = new ListenerRegistry();
        var kept = 0;
        var removed = 0;
        using var keep = registry.Subscribe("k", _ => kept++);
        var handle = registry.Subscribe("k", _ => removed++);

        handle.Dispose();
        handle.Dispose();
        registry.Trigger(new ClusterChange(ClusterChangeKind.KeySet, s_node, 1, "k1", "v"));

        kept.Should().Be(1);
        removed.Should().Be(0);
        registry.Count.Should().Be(1);
    }

    [Fact]
    public void Dispose_AfterForever_DoesNothing()
    {
        var registry = new ListenerRegistry();
        var count = 0;
        var handle = registry.Subscribe("k", _ => count++);

        handle.Forever();
        handle.Dispose();
        registry.Trigger(new ClusterChange(ClusterChangeKind.KeySet, s_node, 1, "k", "v"));

        count.Should().Be(1);
        registry.IsEmpty.Should().BeFalse();
    }

    [Fact]
    public void Forever_AfterDispose_DoesNotResubscribe()
    {
        var registry = new ListenerRegistry();
        var count = 0;
        var handle = registry.Subscribe("k", _ => count++);

        handle.Dispose();
        handle.Forever();
        registry.Trigger(new ClusterChange(ClusterChangeKind.KeySet, s_node, 1, "k", "v"));

        count.Should().Be(0);
        registry.IsEmpty.Should().BeTrue();
    }

    [Fact]
    public void Subscribe_ReturnsHandleWithPrefix_AndRegistryIsNoLongerEmpty()
    {
        var registry = new ListenerRegistry();
        registry.IsEmpty.Should().BeTrue();

        using var handle = registry.Subscribe("node:", _ => { });

        handle.Prefix.Should().Be("node:");
        registry.IsEmpty.Should().BeFalse();
        registry.Count.Should().Be(1);
    }

    [Fact]
    public void Trigger_ListenerDisposesItselfDuringTrigger_NotCalledAgainAndOthersUnaffected()
    {
        var registry = new ListenerRegistry();
        var selfCalls = 0;
        var otherCalls = 0;
        ListenerHandle? self = null;
        self = registry.Subscribe("k", _ =>
        {
            selfCalls++;
            self!.Dispose();
        });
        registry.Subscribe("k", _ => otherCalls++).Forever();

        registry.Trigger(new ClusterChange(ClusterChangeKind.KeySet, s_node, 1, "k", "v"));
        registry.Trigger(new ClusterChange(ClusterChangeKind.KeySet, s_node, 1, "k", "v"));

        selfCalls.Should().Be(1);
        otherCalls.Should().Be(2);
    }

    [Fact]
    public void Trigger_ListenerDisposesALaterListenerDuringTrigger_LaterListenerSkipped()
    {
        var registry = new ListenerRegistry();
        var laterCalls = 0;
        var later = registry.Subscribe("kk", _ => laterCalls++);
        registry.Subscribe("k", _ => later.Dispose()).Forever();

        registry.Trigger(new ClusterChange(ClusterChangeKind.KeySet, s_node, 1, "kk", "v"));

        laterCalls.Should().Be(0);
    }

    [Fact]
    public void Trigger_ListenerSubscribesDuringTrigger_NewListenerCalledFromNextTrigger()
    {
        var registry = new ListenerRegistry();
        var added = 0;
        var subscribed = false;
        registry.Subscribe("k", _ =>
        {
            if (!subscribed)
            {
                subscribed = true;
                registry.Subscribe("k", _ => added++).Forever();
            }
        }).Forever();

        registry.Trigger(new ClusterChange(ClusterChangeKind.KeySet, s_node, 1, "k", "v"));
        added.Should().Be(0);
        registry.Trigger(new ClusterChange(ClusterChangeKind.KeySet, s_node, 1, "k", "v"));
        added.Should().Be(1);
    }

    [Fact]
    public async Task Dispose_FromAnotherThreadWhileTriggering_DoesNotThrow()
    {
        var registry = new ListenerRegistry();
        var delivered = 0;
        registry.Subscribe(string.Empty, _ => Interlocked.Increment(ref delivered)).Forever();
        var churnDone = 0;
        var triggers = 0;

        var churn = Task.Run(() =>
        {
            try
            {
                for (var i = 0; i < 20_000; i++)
                {
                    var handle = registry.Subscribe(i % 2 == 0 ? "key:" : "key:1", _ => { });
                    handle.Dispose();
                    handle.Dispose();
                }
            }
            finally
            {
                Volatile.Write(ref churnDone, 1);
            }
        });
        var trigger = Task.Run(() =>
        {
            while (Volatile.Read(ref churnDone) == 0 || triggers < 10_000)
            {
                registry.Trigger(new ClusterChange(ClusterChangeKind.KeySet, s_node, 1, "key:123", "v"));
                triggers++;
            }
        });

        await Task.WhenAll(churn, trigger);

        registry.Count.Should().Be(1);
        delivered.Should().Be(triggers);
    }
}
