using Chitchat.State;

namespace Chitchat.Tests.State;

/// <summary>The bounded recent-versions window behind <see cref="NodeState.CountStaleKeyValues"/>.</summary>
public sealed class RecentVersionsTests
{
    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(10)]
    [InlineData(16)]
    [InlineData(17)]
    [InlineData(1_000)]
    public void Record_ManyMutationsAfterBuild_StaysWithinTwiceHalfCapacity(int existingEntries)
    {
        var keyValues = new SortedDictionary<string, VersionedValue>(Utf8Ordinal.Instance);
        for (var i = 1; i <= existingEntries; i++)
        {
            keyValues[$"k{i}"] = new VersionedValue("v", (ulong)i, DeletionStatus.Set);
        }

        var window = RecentVersions.FromHighestVersions(keyValues);
        window.Entries.Length.Should().Be(Math.Min(existingEntries, RecentVersions.HalfCapacity));
        window.Floor.Should().Be(existingEntries <= RecentVersions.HalfCapacity ? 0UL : (ulong)(existingEntries - RecentVersions.HalfCapacity));

        for (var version = (ulong)existingEntries + 1; version <= (ulong)existingEntries + 1_000; version++)
        {
            window.Record(version, $"hot{version % 3}");
            window.Entries.Length.Should().BeLessThanOrEqualTo(2 * RecentVersions.HalfCapacity);
            window.Entries[^1].Version.Should().Be(version);
        }

        window.Floor.Should().BeGreaterThan((ulong)existingEntries + 1_000 - (2 * RecentVersions.HalfCapacity));
    }

    [Fact]
    public void Record_VersionsGoingBackAndRepeats_KeepsPairsSortedAndUnique()
    {
        var window = new RecentVersions(0);
        window.Record(5, "a");
        window.Record(3, "b");
        window.Record(5, "c");
        window.Record(5, "a");
        window.Record(4, "d");
        window.Entries.ToArray().Select(e => (e.Version, e.Key)).Should().Equal((3UL, "b"), (4UL, "d"), (5UL, "a"), (5UL, "c"));
        window.IndexAbove(3).Should().Be(1);
        window.IndexAbove(5).Should().Be(4);
    }
}
