using BenchmarkDotNet.Attributes;
using Chitchat.FailureDetection;

namespace Chitchat.Benchmarks;

/// <summary>
/// Failure detector hot paths with a manual clock: <see cref="FailureDetector.ReportHeartbeat(ChitchatId)"/> for a known
/// node (target 0 B), <see cref="FailureDetector.UpdateNodeLiveness"/> for 100 live nodes, and the end-of-round
/// <see cref="ChitchatInstance.UpdateNodesLiveness"/> of a 100-node instance when nothing changed.
/// </summary>
[MemoryDiagnoser]
public class FailureDetectorBenchmarks
{
    private const int Nodes = 100;

    private readonly ManualTimeProvider _clock = new();
    private FailureDetector _detector = null!;
    private ChitchatId[] _ids = null!;
    private ChitchatInstance _instance = null!;

    [GlobalSetup]
    public void Setup()
    {
        _ids = [.. Enumerable.Range(1, Nodes).Select(StateFixtures.NodeId)];
        _detector = new FailureDetector(new FailureDetectorConfig(), _clock);
        _instance = StateFixtures.Instance(0, Nodes, 10, _clock);

        // Two heartbeats one second apart: every node has one interval and a phi well below the threshold.
        for (var round = 0; round < 2; round++)
        {
            foreach (var id in _ids)
            {
                _detector.ReportHeartbeat(id);
                _instance.ReportHeartbeat(id, 2 + (ulong)round);
            }

            _clock.Advance(TimeSpan.FromSeconds(1));
        }

        foreach (var id in _ids)
        {
            _detector.UpdateNodeLiveness(id);
        }

        _instance.UpdateNodesLiveness();
        if (_instance.LiveNodes.Count() != Nodes || _instance.LiveMembers.Current.Count != Nodes)
        {
            throw new InvalidOperationException("Every node should be live.");
        }
    }

    [Benchmark]
    public void ReportHeartbeat_KnownNode() => _detector.ReportHeartbeat(_ids[42]);

    [Benchmark]
    public void UpdateNodeLiveness_100Nodes()
    {
        foreach (var id in _ids)
        {
            _detector.UpdateNodeLiveness(id);
        }
    }

    [Benchmark]
    public void InstanceUpdateNodesLiveness_Unchanged() => _instance.UpdateNodesLiveness();
}
