using System.Net;

namespace Chitchat.Server;

/// <summary>
/// Chooses whom a node gossips with in one round. Port of chitchat server.rs
/// <c>select_nodes_for_gossip</c>, <c>select_dead_node_to_gossip_with</c> and
/// <c>select_seed_node_to_gossip_with</c>.
/// </summary>
/// <remarks>
/// Up to <see cref="GossipCount"/> live nodes (or, while none is live, any known peers), plus maybe one dead
/// node, so that a recovered node is noticed, plus maybe one seed, so that clusters split at start-up (or by
/// the choice of seeds) merge again (see CASSANDRA-150). Stateless and allocation-free: the caller owns the
/// sets and the output list and reuses them every round.
/// </remarks>
internal static class PeerSelector
{
    /// <summary>The number of live nodes gossiped with per round.</summary>
    public const int GossipCount = 3;

    /// <summary>Selects the targets of one gossip round.</summary>
    /// <param name="random">The random source (a test passes one whose draws are all 0).</param>
    /// <param name="peers">Advertise addresses of every known node but self, distinct; only read while no node is live.</param>
    /// <param name="live">Advertise addresses of the live nodes but self, distinct.</param>
    /// <param name="dead">Advertise addresses of the dead nodes, distinct.</param>
    /// <param name="seeds">Seed addresses, self excluded.</param>
    /// <param name="targets">Cleared, then filled with the regular targets (distinct, random order).</param>
    /// <returns>The dead node and the seed to gossip with as well, if any.</returns>
    public static (IPEndPoint? DeadNode, IPEndPoint? SeedNode) SelectNodesForGossip(
        Random random,
        IReadOnlyCollection<IPEndPoint> peers,
        IReadOnlyCollection<IPEndPoint> live,
        IReadOnlyCollection<IPEndPoint> dead,
        HashSet<IPEndPoint> seeds,
        List<IPEndPoint> targets)
    {
        var liveCount = live.Count;
        var deadCount = dead.Count;

        // Until some node is live (at start-up), gossip with any known node.
        SampleInto(random, liveCount == 0 ? peers : live, GossipCount, targets);

        var hasGossipedWithSeed = false;
        foreach (var target in targets)
        {
            if (seeds.Contains(target))
            {
                hasGossipedWithSeed = true;
                break;
            }
        }

        var deadNode = SelectDeadNode(random, dead, liveCount, deadCount);

        // A seed is added to prevent partitions caused by the choice of seeds (CASSANDRA-150).
        var seedNode = !hasGossipedWithSeed || liveCount < seeds.Count
            ? SelectSeedNode(random, seeds, liveCount, deadCount)
            : null;
        return (deadNode, seedNode);
    }

    /// <summary>Picks a dead node with probability <c>dead / (live + 1)</c>.</summary>
    private static IPEndPoint? SelectDeadNode(Random random, IReadOnlyCollection<IPEndPoint> dead, int liveCount, int deadCount)
    {
        var probability = deadCount / (double)(liveCount + 1);
        return probability > random.NextDouble() ? ChooseOne(random, dead) : null;
    }

    /// <summary>Picks a seed always while nothing is live, else with probability <c>seeds / (live + dead)</c>.</summary>
    private static IPEndPoint? SelectSeedNode(Random random, HashSet<IPEndPoint> seeds, int liveCount, int deadCount)
    {
        // Evaluated in Rust's order: no draw at all while no node is live.
        if (liveCount == 0 || random.NextDouble() <= seeds.Count / (double)(liveCount + deadCount))
        {
            return ChooseOne(random, seeds);
        }

        return null;
    }

    /// <summary>Uniformly random element of <paramref name="set"/>, or null when it is empty.</summary>
    private static IPEndPoint? ChooseOne(Random random, IReadOnlyCollection<IPEndPoint> set)
    {
        if (set.Count == 0)
        {
            return null;
        }

        var index = random.Next(set.Count);
        if (set is IReadOnlyList<IPEndPoint> list)
        {
            return list[index];
        }

        foreach (var item in set)
        {
            if (index-- == 0)
            {
                return item;
            }
        }

        return null;
    }

    /// <summary>Uniform sample of <c>min(count, pool.Count)</c> distinct elements (partial Fisher–Yates).</summary>
    private static void SampleInto(Random random, IReadOnlyCollection<IPEndPoint> pool, int count, List<IPEndPoint> targets)
    {
        targets.Clear();
        if (pool is List<IPEndPoint> list)
        {
            targets.AddRange(list);
        }
        else
        {
            foreach (var item in pool)
            {
                targets.Add(item);
            }
        }

        var n = targets.Count;
        var k = Math.Min(count, n);
        for (var i = 0; i < k; i++)
        {
            var j = random.Next(i, n);
            (targets[i], targets[j]) = (targets[j], targets[i]);
        }

        targets.RemoveRange(k, n - k);
    }
}
