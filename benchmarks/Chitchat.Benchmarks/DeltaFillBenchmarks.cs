using BenchmarkDotNet.Attributes;
using Chitchat.State;
using Chitchat.Wire;
using Microsoft.Extensions.Logging.Abstractions;

namespace Chitchat.Benchmarks;

/// <summary>
/// <see cref="ClusterState.ComputePartialDelta"/> under the SynAck budget (65,507 − 1 − own digest) against
/// (a) a fresh peer that knows nothing, (b) an up-to-date peer (the steady state: nothing to send) and
/// (c) a peer that lacks the last version of every node.
/// </summary>
[MemoryDiagnoser]
public class DeltaFillBenchmarks
{
    private static readonly IReadOnlySet<ChitchatId> s_noneExcluded = new HashSet<ChitchatId>();

    private ClusterState _clusterState = null!;
    private Digest _freshPeer = null!;
    private Digest _upToDatePeer = null!;
    private Digest _laggingPeer = null!;
    private int _mtu;

    /// <summary>Gets or sets the cluster shape: nodes × keys per node.</summary>
    [Params("100x10", "1000x10", "1x10000")]
    public string Shape { get; set; } = "100x10";

    [GlobalSetup]
    public void Setup()
    {
        var (nodes, keys) = StateFixtures.ParseShape(Shape);
        _clusterState = StateFixtures.ClusterState(nodes, keys);
        _freshPeer = new Digest();
        _upToDatePeer = StateFixtures.PeerDigest(_clusterState, lag: 0);
        _laggingPeer = StateFixtures.PeerDigest(_clusterState, lag: 1);
        _mtu = WireFormat.MaxUdpDatagramPayloadSize - 1 - _clusterState.ComputeDigest(s_noneExcluded).SerializedLength;
    }

    [Benchmark]
    public object FreshPeer() => _clusterState.ComputePartialDelta(_freshPeer, _mtu, s_noneExcluded, NullLogger.Instance);

    [Benchmark]
    public object UpToDatePeer() => _clusterState.ComputePartialDelta(_upToDatePeer, _mtu, s_noneExcluded, NullLogger.Instance);

    [Benchmark]
    public object PeerMissingLastVersion() => _clusterState.ComputePartialDelta(_laggingPeer, _mtu, s_noneExcluded, NullLogger.Instance);
}
