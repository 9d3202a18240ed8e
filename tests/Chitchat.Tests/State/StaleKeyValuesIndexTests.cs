using Chitchat.State;
using Chitchat.Wire;
using Microsoft.Extensions.Time.Testing;
using static Chitchat.Tests.State.StateTestHelpers;

namespace Chitchat.Tests.State;

/// <summary>
/// <see cref="NodeState.CountStaleKeyValues"/>, <see cref="NodeState.CollectStaleKeyValues"/> and
/// <see cref="NodeState.NumKeyValues"/> answer from a recent-versions window and a tombstone counter when they
/// can; after any sequence of mutations they must agree with a full scan of the entries.
/// </summary>
public sealed class StaleKeyValuesIndexTests
{
    [Theory]
    [InlineData(1, 8, true)]
    [InlineData(2, 8, true)]
    [InlineData(3, 200, true)]
    [InlineData(4, 200, false)]
    [InlineData(5, 3_000, true)]
    [InlineData(6, 3_000, false)]
    [InlineData(7, 100_000, false)]
    public void StaleQueries_AfterRandomMutations_MatchAFullScan(int seed, int keySpace, bool resets)
    {
        var random = new Random(seed);
        var time = new FakeTimeProvider();
        var state = NewNodeState(10_001, time);
        var buffer = new List<KeyValuePair<string, VersionedValue>>();
        for (var step = 0; step < 4_000; step++)
        {
            var key = $"key-{random.Next(keySpace)}";
            switch (random.Next(100))
            {
                case < 55:
                    state.Set(key, $"v{step}");
                    break;
                case < 62:
                    state.SetWithTtl(key, $"t{step}");
                    break;
                case < 70:
                    state.Delete(key);
                    break;
                case < 75:
                    state.DeleteAfterTtl(key);
                    break;
                case < 82:
                    // A replica receiving versions out of order, or re-receiving known ones.
                    var version = (ulong)random.Next(1, (int)state.MaxVersion + 3);
                    var status = (DeletionStatus)random.Next(3);
                    state.SetVersionedValue(key, new VersionedValue(status == DeletionStatus.Deleted ? string.Empty : "r", version, status, time.GetTimestamp()));
                    break;
                case < 84:
                    state.RemoveKeyValueInternal(key);
                    break;
                case < 86:
                    time.Advance(TimeSpan.FromSeconds(1));
                    state.GcKeysMarkedForDeletion(TimeSpan.FromSeconds(random.Next(3)), time.GetTimestamp());
                    break;
                case < 87 when resets:
                    // Reset by a delta whose sender garbage-collected past our max version.
                    var gc = Math.Max(state.MaxVersion, state.LastGcVersion) + 5;
                    state.ApplyDelta(new NodeDelta(state.ChitchatId, gc, 0, gc + 2, [Kv("after-reset", "x", gc + 1), Kv(key, "y", gc + 2)]), time.GetTimestamp())
                        .Should().Be(DeltaStatus.ApplyAfterReset);
                    break;
                case < 88 when resets:
                    // The test helper may move the max version back: versions can then repeat.
                    state.SetMaxVersion((ulong)random.Next(0, (int)state.MaxVersion + 1));
                    break;
                default:
                    var floor = state.MaxVersion <= 1 ? 0 : state.MaxVersion - (ulong)random.Next(0, (int)Math.Min(state.MaxVersion, 100));
                    AssertMatchesFullScan(state, floor, buffer);
                    break;
            }

            state.NumKeyValues.Should().Be(state.KeyValuesIncludingDeleted.Count(kv => !kv.Value.IsDeleted));
        }

        for (ulong floor = 0; floor <= state.MaxVersion + 1; floor += floor + 300 < state.MaxVersion ? 37UL : 1UL)
        {
            AssertMatchesFullScan(state, floor, buffer);
        }
    }

    [Fact]
    public void CollectStaleKeyValues_LongRunOfUpdatesToOneKey_ListsItOnce()
    {
        var state = NewNodeState(10_001);
        var buffer = new List<KeyValuePair<string, VersionedValue>>();
        for (var i = 0; i < 1_000; i++)
        {
            state.Set($"static-{i}", "x");
        }

        for (var i = 0; i < 500; i++)
        {
            state.Set("hot", $"{i}");
            AssertMatchesFullScan(state, state.MaxVersion - 1, buffer);
            AssertMatchesFullScan(state, state.MaxVersion - 3, buffer);
        }

        state.CountStaleKeyValues(state.MaxVersion - 40).Should().Be(1);
        state.CollectStaleKeyValues(state.MaxVersion - 40, buffer);
        buffer.Select(kv => kv.Key).Should().Equal("hot");
    }

    [Fact]
    public void CountStaleKeyValues_KeyRemovedThenRestoredWithSameVersion_CountedOnce()
    {
        // ResetNodeStateIfUpdate can remove a key and store it again with the version it had.
        var state = NewNodeState(10_001);
        state.SetVersionedValue("a", new VersionedValue("1", 1, DeletionStatus.Set));
        state.SetVersionedValue("b", new VersionedValue("2", 2, DeletionStatus.Set));
        state.RemoveKeyValueInternal("b");
        state.SetVersionedValue("b", new VersionedValue("2", 2, DeletionStatus.Set));
        var buffer = new List<KeyValuePair<string, VersionedValue>>();
        AssertMatchesFullScan(state, 1, buffer);
        state.CountStaleKeyValues(1).Should().Be(1);
    }

    [Fact]
    public void StaleQueries_FirstQueryOnALargeState_MatchAFullScan()
    {
        // The window of an existing state lists its entries of highest version; here they sort first by key,
        // so every other entry is seen (and left out) after them: the floor must still cover those.
        var state = NewNodeState(10_001);
        for (var i = 0; i < 1_000; i++)
        {
            state.Set($"b-{i:D4}", "x");
        }

        for (var i = 0; i < 16; i++)
        {
            state.Set($"a-{i:D2}", "y");
        }

        var buffer = new List<KeyValuePair<string, VersionedValue>>();
        AssertMatchesFullScan(state, 995, buffer);
        foreach (var floor in new ulong[] { 1_016, 1_015, 1_010, 1_001, 1_000, 999, 900 })
        {
            AssertMatchesFullScan(state, floor, buffer);
        }

        state.Set("b-0500", "z");
        AssertMatchesFullScan(state, 1_015, buffer);
        AssertMatchesFullScan(state, 1_000, buffer);
    }

    [Fact]
    public void Clone_StaleQueries_StillAnswered()
    {
        var state = NewNodeState(10_001);
        for (var i = 0; i < 100; i++)
        {
            state.Set($"k{i % 10}", $"{i}");
        }

        state.Delete("k3");
        var clone = state.Clone();
        var buffer = new List<KeyValuePair<string, VersionedValue>>();
        AssertMatchesFullScan(clone, clone.MaxVersion - 2, buffer);
        clone.NumKeyValues.Should().Be(9);
        clone.Set("k3", "again");
        clone.NumKeyValues.Should().Be(10);
        AssertMatchesFullScan(clone, clone.MaxVersion - 2, buffer);
        state.NumKeyValues.Should().Be(9, "the original is not affected");
    }

    private static void AssertMatchesFullScan(NodeState state, ulong floor, List<KeyValuePair<string, VersionedValue>> buffer)
    {
        var expected = state.KeyValuesIncludingDeleted
            .Where(kv => kv.Value.Version > floor)
            .OrderBy(kv => kv.Value.Version)
            .ThenBy(kv => kv.Key, Utf8Ordinal.Instance)
            .Select(kv => (kv.Key, kv.Value.Version))
            .ToList();
        state.CountStaleKeyValues(floor).Should().Be(expected.Count, $"count above {floor}");
        state.CollectStaleKeyValues(floor, buffer);
        buffer.Select(kv => (kv.Key, kv.Value.Version)).Should().Equal(expected, $"entries above {floor}");
    }
}
