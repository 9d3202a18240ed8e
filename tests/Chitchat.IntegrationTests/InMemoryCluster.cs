using System.Net;
using Chitchat.FailureDetection;
using Chitchat.Testing;

namespace Chitchat.IntegrationTests;

/// <summary>
/// Port of the cluster helpers of chitchat lib.rs tests (<c>start_node</c>, <c>setup_nodes</c>,
/// <c>wait_for_chitchat_state</c>): gossip every 100 ms, phi threshold 5, initial interval 100 ms.
/// </summary>
internal static class InMemoryCluster
{
    /// <summary>Rust waits up to 60 s for a live-nodes state; so do we.</summary>
    public static readonly TimeSpan WatchTimeout = TimeSpan.FromSeconds(60);

    public static InMemoryTransport NewTransport() => InMemoryTransport.WithMtu(65_507);

    public static ChitchatConfig NodeConfig(ChitchatId id, IEnumerable<string> seeds, TimeSpan deadNodeGracePeriod) =>
        new(id)
        {
            ClusterId = "default-cluster",
            GossipInterval = TimeSpan.FromMilliseconds(100),
            SeedNodes = seeds.ToList(),
            FailureDetectorConfig = new FailureDetectorConfig
            {
                DeadNodeGracePeriod = deadNodeGracePeriod,
                PhiThreshold = 5.0,
                InitialInterval = TimeSpan.FromMilliseconds(100),
            },
            MarkedForDeletionGracePeriod = TimeSpan.FromSeconds(3_600),
        };

    public static Task<ChitchatHandle> StartNodeAsync(
        TestCluster cluster, ChitchatId id, IEnumerable<IPEndPoint> seeds, TimeSpan? deadNodeGracePeriod = null) =>
        cluster.StartNodeAsync(NodeConfig(id, seeds.Select(seed => seed.ToString()), deadNodeGracePeriod ?? TimeSpan.FromSeconds(20)));

    /// <summary>The first node has no seed; every other node is seeded with all the others.</summary>
    public static async Task<List<ChitchatHandle>> SetupNodesAsync(
        TestCluster cluster, IEnumerable<int> ports, TimeSpan? deadNodeGracePeriod = null)
    {
        var ids = ports.Select(ChitchatId.ForLocalTest).ToList();
        var nodes = new List<ChitchatHandle> { await StartNodeAsync(cluster, ids[0], [], deadNodeGracePeriod) };
        foreach (var id in ids.Skip(1))
        {
            var seeds = ids.Where(peer => !peer.Equals(id)).Select(peer => peer.GossipAdvertiseAddr);
            nodes.Add(await StartNodeAsync(cluster, id, seeds, deadNodeGracePeriod));
        }

        return nodes;
    }

    /// <summary>Waits until the node's live-members watch holds exactly <paramref name="expected"/>.</summary>
    public static Task WaitForLiveNodesAsync(ChitchatHandle node, IEnumerable<ChitchatId> expected) =>
        TestCluster.WaitForLiveMembersAsync(node, expected, WatchTimeout);

}
