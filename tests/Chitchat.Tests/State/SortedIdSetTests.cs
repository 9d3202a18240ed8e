using Chitchat.State;

namespace Chitchat.Tests.State;

public sealed class SortedIdSetTests
{
    private static readonly ChitchatId[] s_ids = [.. Enumerable.Range(10_001, 5).Select(ChitchatId.ForLocalTest)];

    private static SortedIdSet Set(params int[] indexes) => new([.. indexes.Select(i => s_ids[i])]);

    [Fact]
    public void Contains_MembersAndOthers_BinarySearchFindsExactlyTheMembers()
    {
        var set = Set(0, 2, 4);

        s_ids.Select(set.Contains).Should().Equal(true, false, true, false, true);
        set.Contains(null!).Should().BeFalse();
        set.Should().Equal(s_ids[0], s_ids[2], s_ids[4]);
        set.Count.Should().Be(3);
    }

    [Fact]
    public void SetOperations_AgainstAHashSet_AgreeWithHashSetSemantics()
    {
        var random = new Random(5);
        for (var run = 0; run < 200; run++)
        {
            var mine = Enumerable.Range(0, 5).Where(_ => random.Next(2) == 0).ToArray();
            var other = Enumerable.Range(0, 5).Where(_ => random.Next(2) == 0).Select(i => s_ids[i]).ToList();
            other.AddRange(other.Take(1)); // duplicates in a sequence count once
            var set = Set(mine);
            var reference = new HashSet<ChitchatId>(mine.Select(i => s_ids[i]));

            set.SetEquals(other).Should().Be(reference.SetEquals(other));
            set.IsSubsetOf(other).Should().Be(reference.IsSubsetOf(other));
            set.IsSupersetOf(other).Should().Be(reference.IsSupersetOf(other));
            set.IsProperSubsetOf(other).Should().Be(reference.IsProperSubsetOf(other));
            set.IsProperSupersetOf(other).Should().Be(reference.IsProperSupersetOf(other));
            set.Overlaps(other).Should().Be(reference.Overlaps(other));
        }
    }

    [Fact]
    public void SequenceEqual_SameAndDifferentIds_ComparesInOrder()
    {
        var set = Set(1, 3);

        set.SequenceEqual([s_ids[1], s_ids[3]]).Should().BeTrue();
        set.SequenceEqual([s_ids[1]]).Should().BeFalse();
        set.SequenceEqual([s_ids[1], s_ids[4]]).Should().BeFalse();
        SortedIdSet.Empty.SequenceEqual([]).Should().BeTrue();
    }
}
