using System.Net;
using Chitchat.Changes;
using Chitchat.Listeners;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Testing;

namespace Chitchat.Tests.Listeners;

// TH1–TH4 are ports of the chitchat listener.rs tests; the others cover the .NET guarantees of docs/DESIGN.md.
public sealed class ListenerRegistryTests
{
    private static readonly ChitchatId s_node = new("node7280", 0, new IPEndPoint(IPAddress.Loopback, 7280));

    private static ClusterChange Set(string key, string value) => new(ClusterChangeKind.KeySet, s_node, 1, key, value);

    [Fact]
    public void Trigger_MatchingPrefix_DeliversTheChangeWithItsFullKeyUntilDisposed()
    {
        var registry = new ListenerRegistry();
        var events = new List<ClusterChange>();
        var handle = registry.Subscribe("prefix:", events.Add);

        registry.Trigger(Set("prefix:strippedprefix", "value"));
        events.Should().Equal(Set("prefix:strippedprefix", "value"));

        handle.Dispose();
        registry.Trigger(Set("prefix:strippedprefix", "value"));
        events.Should().HaveCount(1);
        registry.IsEmpty.Should().BeTrue();
    }

    [Fact]
    public void Trigger_KeyDeletedAndExpired_DeliveredToMatchingPrefixes_MemberChangesNot()
    {
        var registry = new ListenerRegistry();
        var events = new List<ClusterChange>();
        registry.Subscribe("role", events.Add).Forever();
        registry.Subscribe(string.Empty, events.Add).Forever();
        var deleted = new ClusterChange(ClusterChangeKind.KeyDeleted, s_node, 2, "role", "old");
        var expired = new ClusterChange(ClusterChangeKind.KeyExpired, s_node, 3, "role", "old");
        var joined = new ClusterChange(ClusterChangeKind.MemberJoined, s_node, 3);

        registry.Trigger(deleted);
        registry.Trigger(joined);
        registry.Trigger(expired);
        registry.Trigger(new ClusterChange(ClusterChangeKind.KeyDeleted, s_node, 4, "other", "x"));

        events.Should().HaveCount(5);
        events.Take(4).Should().Equal(deleted, deleted, expired, expired);
        events[4].Key.Should().Be("other");
    }

    // TH2 test_listeners_empty_prefix
    [Fact]
    public void Trigger_EmptyPrefix_DeliversFullKey()
    {
        var registry = new ListenerRegistry();
        var events = new List<ClusterChange>();
        registry.Subscribe(string.Empty, events.Add).Forever();

        registry.Trigger(Set("prefix:strippedprefix", "value"));

        events.Should().Equal(Set("prefix:strippedprefix", "value"));
    }

    // TH3 test_listeners_forever
    [Fact]
    public void Forever_ThenTrigger_StillSubscribed()
    {
        var registry = new ListenerRegistry();
        var count = 0;
        var handle = registry.Subscribe("prefix:", e =>
        {
            e.Key.Should().Be("prefix:strippedprefix");
            e.Value.Should().Be("value");
            count++;
        });
        registry.Trigger(Set("prefix:strippedprefix", "value"));
        count.Should().Be(1);

        handle.Forever();
        registry.Trigger(Set("prefix:strippedprefix", "value"));

        count.Should().Be(2);
    }

    // TH4 test_listeners_prefixes
    [Fact]
    public void Trigger_SeveralPrefixes_CountsMatchRust()
    {
        var registry = new ListenerRegistry();
        string[] prefixes = [string.Empty, "b", "bb", "bb", "bc"];
        var counts = new int[prefixes.Length];
        for (var i = 0; i < prefixes.Length; i++)
        {
            var index = i;
            registry.Subscribe(prefixes[i], _ => counts[index]++).Forever();
        }

        (string Key, int[] Expected)[] steps =
        [
            ("hello", [1, 0, 0, 0, 0]),
            (string.Empty, [2, 0, 0, 0, 0]),
            ("a", [3, 0, 0, 0, 0]),
            ("b", [4, 1, 0, 0, 0]),
            ("ba", [5, 2, 0, 0, 0]),
            ("bb", [6, 3, 1, 1, 0]),
        ];
        foreach (var (key, expected) in steps)
        {
            registry.Trigger(Set(key, "value"));
            counts.Should().Equal(expected, $"after key \"{key}\"");
        }
    }

    [Fact]
    public void Trigger_NestedPrefixesSubscribedOutOfOrder_EmptyFirstThenAscending()
    {
        var registry = new ListenerRegistry();
        var calls = new List<string>();
        foreach (var prefix in new[] { "abc", "b", "ab", string.Empty, "abd", "a", "abcde" })
        {
            registry.Subscribe(prefix, e => calls.Add($"{prefix}|{e.Key![prefix.Length..]}")).Forever();
        }

        registry.Trigger(Set("abcd", "v"));

        calls.Should().Equal("|abcd", "a|bcd", "ab|cd", "abc|d");
    }

    [Fact]
    public void Trigger_SamePrefixTwice_BothCalledInSubscriptionOrderWithTheSameEvent()
    {
        var registry = new ListenerRegistry();
        var calls = new List<(string Listener, ClusterChange Event)>();
        registry.Subscribe("k", e => calls.Add(("first", e))).Forever();
        registry.Subscribe("k", e => calls.Add(("second", e))).Forever();

        registry.Trigger(Set("key", "v"));

        calls.Select(c => c.Listener).Should().Equal("first", "second");
        calls[0].Event.Should().Be(Set("key", "v"));
        calls[1].Event.Should().BeSameAs(calls[0].Event);
    }

    [Fact]
    public void Trigger_KeyEqualToPrefix_Delivers()
    {
        var registry = new ListenerRegistry();
        var events = new List<ClusterChange>();
        registry.Subscribe("exact", events.Add).Forever();

        registry.Trigger(Set("exact", "v"));
        registry.Trigger(Set("exac", "v"));

        events.Should().Equal(Set("exact", "v"));
    }

    [Fact]
    public void Trigger_PrefixMatchingIsOrdinal_CaseAndCultureSensitive()
    {
        var registry = new ListenerRegistry();
        var events = new List<ClusterChange>();
        registry.Subscribe("Key", events.Add).Forever();
        registry.Subscribe("e\u0301", events.Add).Forever(); // "é" decomposed

        registry.Trigger(Set("key:1", "v"));
        registry.Trigger(Set("\u00e9:2", "v")); // "é" precomposed
        registry.Trigger(Set("Key:3", "v"));

        events.Should().Equal(Set("Key:3", "v"));
    }

    [Theory]
    [InlineData("é")]
    [InlineData("éclair")]
    [InlineData("日本")]
    [InlineData("😀")]
    [InlineData("😀x")]
    [InlineData("\ud83d")]
    [InlineData("\ude00x")]
    [InlineData("")]
    public void Trigger_NonAsciiFirstCharWithoutMatchingListener_DoesNotThrow(string key)
    {
        var registry = new ListenerRegistry();
        var events = new List<ClusterChange>();
        registry.Subscribe("a", events.Add).Forever();
        registry.Subscribe("\uffff", events.Add).Forever();

        var act = () => registry.Trigger(Set(key, "v"));

        act.Should().NotThrow();
        events.Should().BeEmpty();
    }

    [Theory]
    [InlineData("é", "éclair", "clair")]
    [InlineData("日", "日本", "本")]
    [InlineData("日本", "日本", "")]
    [InlineData("😀", "😀x", "x")]
    [InlineData("é", "é", "")]
    public void Trigger_NonAsciiPrefix_DeliversToTheMatchingPrefix(string prefix, string key, string expectedRest)
    {
        var registry = new ListenerRegistry();
        var all = new List<ClusterChange>();
        var prefixed = new List<ClusterChange>();
        registry.Subscribe(string.Empty, all.Add).Forever();
        registry.Subscribe(prefix, prefixed.Add).Forever();

        registry.Trigger(Set(key, "valeur"));

        all.Should().Equal(Set(key, "valeur"));
        prefixed.Should().Equal(Set(key, "valeur"));
        prefixed[0].Key![prefix.Length..].Should().Be(expectedRest);
    }

    [Fact]
    public void Trigger_SurrogateAndHighBmpPrefixes_FollowsUtf8ByteOrder()
    {
        // In UTF-16 order "😀" (D83D DE00) sorts before U+E000 and U+FFFF; in UTF-8 byte order after them.
        var registry = new ListenerRegistry();
        var calls = new List<string>();
        foreach (var prefix in new[] { "😀😀", "\ue000", "a", "😀", "\uffff", "\uffff\uffff" })
        {
            registry.Subscribe(prefix, e => calls.Add($"{prefix}|{e.Key![prefix.Length..]}")).Forever();
        }

        registry.Trigger(Set("😀😀!", "v"));
        calls.Should().Equal("😀|😀!", "😀😀|!");

        calls.Clear();
        registry.Trigger(Set("\uffff\uffffz", "v"));
        calls.Should().Equal("\uffff|\uffffz", "\uffff\uffff|z");

        calls.Clear();
        registry.Trigger(Set("\ue000", "v"));
        calls.Should().Equal("\ue000|");
    }

    [Fact]
    public void Trigger_ThrowingListeners_LoggedAndOthersStillCalled()
    {
        var logger = new FakeLogger();
        var registry = new ListenerRegistry(logger);
        var calls = new List<string>();
        var failure = new InvalidOperationException("boom");
        registry.Subscribe(string.Empty, _ => throw failure).Forever();
        registry.Subscribe("a", e => calls.Add("a|" + e.Key)).Forever();
        registry.Subscribe("ab", _ => throw new FormatException("bad")).Forever();
        registry.Subscribe("ab", e => calls.Add("ab|" + e.Key)).Forever();
        registry.Subscribe("abc", e => calls.Add("abc|" + e.Key)).Forever();

        var act = () => registry.Trigger(Set("abcd", "v"));

        act.Should().NotThrow();
        calls.Should().Equal("a|abcd", "ab|abcd", "abc|abcd");
        var records = logger.Collector.GetSnapshot();
        records.Should().HaveCount(2);
        records.Should().AllSatisfy(r =>
        {
            r.Level.Should().Be(LogLevel.Warning);
            r.Id.Id.Should().Be(400);
        });
        records[0].Exception.Should().BeSameAs(failure);
        records[0].Message.Should().Contain("prefix ''").And.Contain("key 'abcd'").And.Contain(s_node.ToString());
        records[1].Exception.Should().BeOfType<FormatException>();
        records[1].Message.Should().Contain("prefix 'ab'");
    }

    [Fact]
    public void Subscribe_NullArguments_ThrowArgumentNullException()
    {
        var registry = new ListenerRegistry();

        ((Action)(() => registry.Subscribe(null!, _ => { }))).Should().Throw<ArgumentNullException>();
        ((Action)(() => registry.Subscribe("p", null!))).Should().Throw<ArgumentNullException>();
    }

    [Fact]
    public void Trigger_NoMatchingListener_AllocatesNothing()
    {
        var registry = new ListenerRegistry();
        var empty = new ListenerRegistry();
        registry.Subscribe("a", _ => { }).Forever();
        registry.Subscribe("node:", _ => { }).Forever();
        registry.Subscribe("zz", _ => { }).Forever();
        var state = Set("node-1:state", "v");
        var japan = Set("日本", "v");
        var z = Set("z", "v");
        var node = Set("node:x", "v");
        var member = new ClusterChange(ClusterChangeKind.MemberLive, s_node, 1);
        for (var i = 0; i < 1_000; i++)
        {
            registry.Trigger(state);
            registry.Trigger(japan);
            empty.Trigger(node);
        }

        var allocated = AllocationMeter.Minimum(() =>
        {
            for (var i = 0; i < 10_000; i++)
            {
                registry.Trigger(state);
                registry.Trigger(japan);
                registry.Trigger(z);
                registry.Trigger(member);
                empty.Trigger(node);
            }
        });

        allocated.Should().Be(0);
    }
}
