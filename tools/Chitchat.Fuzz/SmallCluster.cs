using System.Net;

namespace Chitchat.Fuzz;

/// <summary>Builds the node a fuzz input is processed on: 3 peers and their keys already known, on a fixed clock.</summary>
internal static class SmallCluster
{
    public const string ClusterId = "fuzz-cluster";

    /// <summary>A node that knows three peers (8 keys each) and holds 8 keys of its own, one of them deleted.</summary>
    public static ChitchatInstance CreateTarget()
    {
        var clock = new FixedClock();
        var target = Node("target", 10_000, clock);
        for (var i = 1; i <= 3; i++)
        {
            var peer = Node($"peer-{i}", 10_000 + i, clock);
            var synAck = target.ProcessMessage(peer.CreateSynMessage());
            var ack = peer.ProcessMessage(synAck!);
            target.ProcessMessage(ack!);
        }

        return target;
    }

    private static ChitchatInstance Node(string name, int port, TimeProvider clock)
    {
        var id = new ChitchatId(name, 1, new IPEndPoint(IPAddress.Loopback, port));
        var config = new ChitchatConfig(id) { ClusterId = ClusterId, SeedNodes = [] };
        var node = new ChitchatInstance(config, null, clock, new Random(port));
        for (var i = 0; i < 8; i++)
        {
            node.SelfNodeState.Set($"key-{i}", $"{name}-value-{i}");
        }

        node.SelfNodeState.Delete("key-7");
        return node;
    }

    /// <summary>A clock that never moves, so a fuzz input always meets the same node.</summary>
    private sealed class FixedClock : TimeProvider
    {
        private static readonly DateTimeOffset s_now = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);

        public override DateTimeOffset GetUtcNow() => s_now;

        public override long GetTimestamp() => 1_000_000_000;
    }
}
