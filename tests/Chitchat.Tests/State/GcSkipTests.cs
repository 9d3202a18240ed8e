using Chitchat.State;
using Chitchat.Wire;
using Microsoft.Extensions.Time.Testing;
using static Chitchat.Tests.State.StateTestHelpers;

namespace Chitchat.Tests.State;

/// <summary>
/// <see cref="NodeState.GcKeysMarkedForDeletion"/> skips its scan when no scheduled entry can have expired
///; the outcome must always be that of the full scan.
/// </summary>
public sealed class GcSkipTests
{
    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    [InlineData(4)]
    public void GcKeysMarkedForDeletion_AfterRandomMutations_RemovesExactlyTheExpiredEntries(int seed)
    {
        var random = new Random(seed);
        var time = new FakeTimeProvider();
        var state = NewNodeState(10_001, time);
        for (var step = 0; step < 5_000; step++)
        {
            var key = $"key-{random.Next(50)}";
            switch (random.Next(100))
            {
                case < 30:
                    state.Set(key, $"v{step}");
                    break;
                case < 40:
                    state.SetWithTtl(key, $"t{step}");
                    break;
                case < 50:
                    state.Delete(key);
                    break;
                case < 55:
                    state.DeleteAfterTtl(key);
                    break;
                case < 62:
                    // Replica values and catch-up snapshots carry timestamps from anywhere in the past.
                    var status = (DeletionStatus)random.Next(3);
                    var timestamp = time.GetTimestamp() - random.NextInt64(0, 60 * time.TimestampFrequency);
                    state.SetVersionedValue(key, new VersionedValue("r", state.MaxVersion + 1, status, timestamp));
                    break;
                case < 64:
                    state.RemoveKeyValueInternal(key);
                    break;
                case < 65:
                    var gc = Math.Max(state.MaxVersion, state.LastGcVersion) + 5;
                    state.ApplyDelta(new NodeDelta(state.ChitchatId, gc, 0, gc + 1, [Kv(key, string.Empty, gc + 1, DeletionStatus.Deleted)]), time.GetTimestamp());
                    break;
                case < 67:
                    state = state.Clone();
                    break;
                case < 85:
                    time.Advance(TimeSpan.FromMilliseconds(random.Next(0, 5_000)));
                    break;
                default:
                    GcAndCheck(state, TimeSpan.FromSeconds(random.Next(0, 30)), time.GetTimestamp(), time);
                    break;
            }
        }
    }

    [Fact]
    public void GcKeysMarkedForDeletion_TombstoneReachesGracePeriod_IsCollectedAfterSkippedRounds()
    {
        var time = new FakeTimeProvider();
        var state = NewNodeState(10_001, time);
        state.Set("a", "1");
        state.Delete("a");
        time.Advance(TimeSpan.FromSeconds(5));
        state.Set("b", "2");
        state.Delete("b");
        for (var second = 0; second < 20; second++)
        {
            GcAndCheck(state, TimeSpan.FromSeconds(10), time.GetTimestamp(), time);
            time.Advance(TimeSpan.FromSeconds(1));
        }

        state.NumEntriesIncludingDeleted.Should().Be(0);
        state.LastGcVersion.Should().Be(4);
    }

    private static void GcAndCheck(NodeState state, TimeSpan gracePeriod, long now, TimeProvider time)
    {
        var entries = state.KeyValuesIncludingDeleted.ToList();
        var expired = entries
            .Where(kv => kv.Value.Status != DeletionStatus.Set && time.GetElapsedTime(kv.Value.StatusChangeTimestamp, now) >= gracePeriod)
            .ToList();
        var expectedRemaining = entries.Except(expired).Select(kv => (kv.Key, kv.Value.Version)).ToList();
        var expectedLastGcVersion = expired.Select(kv => kv.Value.Version).Append(state.LastGcVersion).Max();

        state.GcKeysMarkedForDeletion(gracePeriod, now);

        state.KeyValuesIncludingDeleted.Select(kv => (kv.Key, kv.Value.Version)).Should().Equal(expectedRemaining);
        state.LastGcVersion.Should().Be(expectedLastGcVersion);
        state.NumKeyValues.Should().Be(entries.Except(expired).Count(kv => !kv.Value.IsDeleted));
    }
}
