using BenchmarkDotNet.Attributes;
using Chitchat.State;

namespace Chitchat.Benchmarks;

/// <summary>
/// <see cref="ClusterState.GcKeysMarkedForDeletion"/>, which every gossip round runs on every node state
///, when nothing is due: no deletion at all, or one tombstone per node that is still
/// within the grace period (2 hours).
/// </summary>
[MemoryDiagnoser]
public class GarbageCollectionBenchmarks
{
    private static readonly TimeSpan s_gracePeriod = TimeSpan.FromHours(2);

    private ClusterState _noDeletions = null!;
    private ClusterState _recentTombstones = null!;

    /// <summary>Gets or sets the cluster shape: nodes × keys per node.</summary>
    [Params("100x10", "1000x10", "1x10000")]
    public string Shape { get; set; } = "100x10";

    [GlobalSetup]
    public void Setup()
    {
        var (nodes, keys) = StateFixtures.ParseShape(Shape);
        _noDeletions = StateFixtures.ClusterState(nodes, keys);
        _recentTombstones = StateFixtures.ClusterState(nodes, keys);
        foreach (var state in _recentTombstones.NodeStatesInOrder)
        {
            state.Delete("indexer.pipeline.00000");
        }
    }

    [Benchmark]
    public void NoDeletions() => _noDeletions.GcKeysMarkedForDeletion(s_gracePeriod);

    [Benchmark]
    public void RecentTombstones() => _recentTombstones.GcKeysMarkedForDeletion(s_gracePeriod);
}
