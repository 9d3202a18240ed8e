using BenchmarkDotNet.Attributes;
using Chitchat.State;
using Chitchat.Wire;

namespace Chitchat.Benchmarks;

/// <summary>
/// Digest hot paths, run by every node every gossip round and for every Syn received:
/// <see cref="ClusterState.ComputeDigest"/>, <see cref="ChitchatInstance.CreateSynMessage()"/> (digest plus the
/// scheduled-for-deletion set) and decoding a Syn of the same size.
/// </summary>
[MemoryDiagnoser]
public class DigestBenchmarks
{
    private static readonly IReadOnlySet<ChitchatId> s_noneExcluded = new HashSet<ChitchatId>();

    private ClusterState _clusterState = null!;
    private ChitchatInstance _instance = null!;
    private byte[] _synBytes = null!;

    /// <summary>Gets or sets the number of nodes (10 keys each).</summary>
    [Params(100, 1_000)]
    public int Nodes { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        _clusterState = StateFixtures.ClusterState(Nodes, 10);
        _instance = StateFixtures.Instance(0, Nodes, 10);
        _synBytes = _instance.CreateSynMessage().SerializeToArray();
    }

    [Benchmark]
    public Digest ComputeDigest() => _clusterState.ComputeDigest(s_noneExcluded);

    [Benchmark]
    public ChitchatMessage CreateSynMessage() => _instance.CreateSynMessage();

    [Benchmark]
    public bool DecodeSyn() => ChitchatMessage.TryDeserialize(_synBytes, out _, out _);
}
