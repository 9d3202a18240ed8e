using Chitchat.Wire;
using static Chitchat.Tests.Core.HandshakeHelpers;

namespace Chitchat.Tests.State;

/// <summary>
/// The state budget: per member (keys, bytes) and for every member together (bytes), checked when the application
/// writes its own state and when a delta would grow a replica.
/// </summary>
public sealed class StateBudgetTests
{
    private static ChitchatInstance Node(int maxKeys = 10_000, long maxBytes = 1 << 20, long maxTotal = 1 << 22)
    {
        var config = Config(10_001);
        config.MaxKeysPerNode = maxKeys;
        config.MaxStateBytesPerNode = maxBytes;
        config.MaxTotalStateBytes = maxTotal;
        return new ChitchatInstance(config);
    }

    private static Delta DeltaOf(ChitchatId id, params (string Key, string Value)[] keyValues) =>
        Delta.FromNodeDeltas([new NodeDelta(
            id, 0, 0, (ulong)keyValues.Length,
            [.. keyValues.Select((kv, i) => new KeyValueMutation(kv.Key, kv.Value, (ulong)(i + 1), DeletionStatus.Set))])]);

    [Fact]
    public void Set_OwnStateBeyondMaxKeys_ThrowsAndOverwritingStillWorks()
    {
        var node = Node(maxKeys: 3);
        node.SelfNodeState.Set("a", "1");
        node.SelfNodeState.Set("b", "1");
        node.SelfNodeState.Set("c", "1");

        var act = () => node.SelfNodeState.Set("d", "1");

        act.Should().Throw<InvalidOperationException>().WithMessage("*4 keys*3*MaxKeysPerNode*");
        node.SelfNodeState.Set("c", "2");
        node.SelfNodeState.Get("c").Should().Be("2");
        node.SelfNodeState.ContainsKey("d").Should().BeFalse();
    }

    [Fact]
    public void Set_OwnStateBeyondMaxBytes_ThrowsUntilSpaceIsFreed()
    {
        // 1,000 characters of value: 2,000 bytes plus the key and the entry overhead.
        var node = Node(maxBytes: 3_000);
        node.SelfNodeState.Set("big", new string('x', 1_000));

        var act = () => node.SelfNodeState.SetWithTtl("other", new string('y', 1_000));

        act.Should().Throw<InvalidOperationException>().WithMessage("*MaxStateBytesPerNode*");
        node.SelfNodeState.Set("big", "small");
        node.SelfNodeState.SetWithTtl("other", new string('y', 1_000));
        node.SelfNodeState.Get("other").Should().HaveLength(1_000);
    }

    [Fact]
    public void ProcessDelta_ReplicaBeyondMaxBytes_RefusedAndTheReplicaUnchanged()
    {
        // The "delta bomb": a few KB of zstd that decode to 64 KiB values.
        var node = Node(maxBytes: 100_000);
        var peer = ChitchatId.ForLocalTest(10_002);
        node.ReportHeartbeat(peer, 1);

        node.ProcessDelta(DeltaOf(peer, [.. Enumerable.Range(0, 4).Select(i => ($"key-{i}", new string('z', 65_000)))]));

        node.NodeState(peer)!.NumKeyValues.Should().Be(0);
        node.NodeState(peer)!.MaxVersion.Should().Be(0, "nothing of the refused delta applies");
        node.ClusterState.OverBudgetDeltas.Should().Be(1);

        node.ProcessDelta(DeltaOf(peer, ("small", "value")));
        node.NodeState(peer)!.Get("small").Should().Be("value", "a delta within the budget applies");
    }

    [Fact]
    public void ProcessDelta_ReplicaBeyondMaxKeys_Refused()
    {
        var node = Node(maxKeys: 5);
        var peer = ChitchatId.ForLocalTest(10_002);
        node.ReportHeartbeat(peer, 1);

        node.ProcessDelta(DeltaOf(peer, [.. Enumerable.Range(0, 6).Select(i => ($"key-{i}", "v"))]));

        node.NodeState(peer)!.NumKeyValues.Should().Be(0);
    }

    [Fact]
    public void ProcessDelta_AllReplicasTogetherBeyondMaxTotal_LaterGrowthRefused()
    {
        var node = Node(maxBytes: 200_000, maxTotal: 250_000);
        var first = ChitchatId.ForLocalTest(10_002);
        var second = ChitchatId.ForLocalTest(10_003);
        node.ReportHeartbeat(first, 1);
        node.ReportHeartbeat(second, 1);

        node.ProcessDelta(DeltaOf(first, ("a", new string('a', 70_000))));
        node.ProcessDelta(DeltaOf(second, ("b", new string('b', 70_000))));

        node.NodeState(first)!.Get("a").Should().HaveLength(70_000);
        node.NodeState(second)!.ContainsKey("b").Should().BeFalse("the two replicas together would exceed 250,000 bytes");
        var total = node.ClusterState.Budget.TotalBytes;
        total.Should().BeInRange(140_000, 250_000);

        // Forgetting a member releases what its state cost.
        node.ClusterState.RemoveNode(first);
        node.ClusterState.Budget.TotalBytes.Should().BeLessThan(total - 140_000);
        node.ProcessDelta(DeltaOf(second, ("b", new string('b', 70_000))));
        node.NodeState(second)!.Get("b").Should().HaveLength(70_000);
    }

    [Theory]
    [InlineData(0, 10L, 10L, "MaxKeysPerNode")]
    [InlineData(1, 0L, 10L, "MaxStateBytesPerNode")]
    [InlineData(1, 10L, 5L, "MaxTotalStateBytes")]
    public void Validate_BadStateBudget_NamesTheSetting(int maxKeys, long maxBytes, long maxTotal, string name)
    {
        var config = Config(10_001);
        config.MaxKeysPerNode = maxKeys;
        config.MaxStateBytesPerNode = maxBytes;
        config.MaxTotalStateBytes = maxTotal;

        var act = config.Validate;

        act.Should().Throw<ArgumentException>().WithMessage($"*{name} must be at least*");
    }
}
