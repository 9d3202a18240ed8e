using Microsoft.Extensions.Time.Testing;
using static Chitchat.Tests.Core.HandshakeHelpers;

namespace Chitchat.Tests.Core;

/// <summary>
/// <see cref="ChitchatInstance.UpdateNodesLiveness"/> compares the live set with the last published one in
/// place: a change of membership with the same number of live nodes must publish.
/// </summary>
public sealed class LiveNodesChangeDetectionTests
{
    [Fact]
    public void UpdateNodesLiveness_OneNodeDiesAnotherJoinsSameCount_Publishes()
    {
        var time = new FakeTimeProvider();
        var node = new ChitchatInstance(Config(10_001), timeProvider: time);
        var first = ChitchatId.ForLocalTest(10_002);
        var second = ChitchatId.ForLocalTest(10_003);
        for (ulong heartbeat = 1; heartbeat <= 3; heartbeat++)
        {
            node.ReportHeartbeat(first, heartbeat);
            time.Advance(TimeSpan.FromMilliseconds(100));
        }

        node.UpdateNodesLiveness();
        node.LiveMembers.Current.Should().Equal(node.SelfChitchatId, first);
        var version = node.LiveMembers.Version;

        // The first node falls silent while the second starts heartbeating: still two live nodes.
        time.Advance(TimeSpan.FromMinutes(5));
        for (ulong heartbeat = 1; heartbeat <= 3; heartbeat++)
        {
            node.ReportHeartbeat(second, heartbeat);
            time.Advance(TimeSpan.FromMilliseconds(100));
        }

        node.UpdateNodesLiveness();
        node.LiveNodes.Should().Equal(node.SelfChitchatId, second);
        node.LiveMembers.Version.Should().Be(version + 1);
        node.LiveMembers.Current.Should().Equal(node.SelfChitchatId, second);

        node.UpdateNodesLiveness();
        node.LiveMembers.Version.Should().Be(version + 1, "nothing changed since the last publication");
    }
}
