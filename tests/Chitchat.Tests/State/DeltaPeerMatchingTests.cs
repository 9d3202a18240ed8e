using Chitchat.Wire;
using Microsoft.Extensions.Logging.Abstractions;
using static Chitchat.Tests.State.StateTestHelpers;

namespace Chitchat.Tests.State;

/// <summary>
/// <see cref="Chitchat.State.ClusterState.ComputePartialDelta"/> matches local node states with the peer's
/// digest entries by walking both in id order: whatever ids only one side knows, every
/// node must be offered from exactly the version the peer's entry (or its absence) implies.
/// </summary>
public sealed class DeltaPeerMatchingTests
{
    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    [InlineData(4)]
    [InlineData(5)]
    public void ComputePartialDelta_InterleavedIds_OffersEachNodeFromThePeersVersion(int seed)
    {
        var random = new Random(seed);
        var cluster = NewClusterState(seed: seed);
        var peerDigest = new Digest();
        var expected = new List<string>();
        var excluded = new HashSet<ChitchatId>();
        for (var port = 10_000; port < 10_060; port++)
        {
            var local = random.Next(4) != 0;
            var inPeerDigest = random.Next(3) != 0;
            var maxVersion = (ulong)random.Next(1, 6);
            var peerMax = (ulong)random.Next(0, 6);
            if (inPeerDigest)
            {
                // Decoded digests hold their own id objects: never the local instances.
                peerDigest.Add(new ChitchatId($"node-{port}", 0, ChitchatId.ForLocalTest(port).GossipAdvertiseAddr), 1, 0, peerMax);
            }

            if (!local)
            {
                continue;
            }

            var state = cluster.NodeStateOrCreate(ChitchatId.ForLocalTest(port));
            for (ulong version = 1; version <= maxVersion; version++)
            {
                state.SetWithVersion($"k{version}", "v", version);
            }

            if (random.Next(10) == 0)
            {
                excluded.Add(ChitchatId.ForLocalTest(port));
                continue;
            }

            var from = inPeerDigest ? peerMax : 0;
            if (maxVersion > from)
            {
                expected.Add($"{port} from {from}: {maxVersion - from} kvs");
            }
        }

        var delta = cluster.ComputePartialDelta(peerDigest, 65_000, excluded, NullLogger.Instance);

        delta.NodeDeltas
            .Select(nd => $"{nd.ChitchatId.GossipAdvertiseAddr.Port} from {nd.FromVersionExcluded}: {nd.KeyValues.Count} kvs")
            .Should().BeEquivalentTo(expected);
    }
}
