using System.Collections.Concurrent;
using System.Diagnostics;
using Chitchat.Diagnostics;
using Chitchat.Wire;
using Microsoft.Extensions.Time.Testing;
using static Chitchat.Tests.Core.HandshakeHelpers;
using static Chitchat.Tests.Server.ServerTestSupport;

namespace Chitchat.Tests.Diagnostics;

/// <summary>The activities of the "Chitchat" source: join, reset, catch-up and leave, never one per datagram.</summary>
public sealed class TracingTests : IDisposable
{
    private readonly ConcurrentQueue<Activity> _started = new();
    private readonly ConcurrentQueue<Activity> _stopped = new();
    private readonly ActivityListener _listener;

    public TracingTests()
    {
        _listener = new ActivityListener
        {
            ShouldListenTo = source => source.Name == ChitchatDiagnostics.Name,
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
            ActivityStarted = _started.Enqueue,
            ActivityStopped = _stopped.Enqueue,
        };
        ActivitySource.AddActivityListener(_listener);
    }

    public void Dispose() => _listener.Dispose();

    [Fact]
    public async Task Spawn_NoPeerEverLive_JoinActivityEndsAsStoppedWhenTheNodeStops()
    {
        var config = ChitchatConfig.ForTest(13_001);
        var node = await ChitchatServer.SpawnChitchatAsync(config, NewTransport(), new ChitchatServerOptions { TimeProvider = new FakeTimeProvider() });

        var join = Started("chitchat.join", config.NodeId).Should().ContainSingle().Subject;
        Activity.Current.Should().NotBe(join, "the node's loop must not run inside the join activity");
        Stopped("chitchat.join", config.NodeId).Should().BeEmpty();
        await node.ShutdownAsync();

        Stopped("chitchat.join", config.NodeId).Should().ContainSingle().Which.Should().BeSameAs(join);
        join.Status.Should().Be(ActivityStatusCode.Error);
        join.GetTagItem("chitchat.join.outcome").Should().Be("stopped");
        _started.Where(a => Node(a) == config.NodeId).Select(a => a.OperationName).Should().Equal(["chitchat.join"], "no activity per datagram or round");
    }

    [Fact]
    public void UpdateNodesLiveness_FirstLivePeer_EndsTheJoinActivityAsJoined()
    {
        var time = new FakeTimeProvider();
        var metrics = new ChitchatMetrics("join-13002", meterFactory: null);
        var node = new ChitchatInstance(Config(13_002), time, metrics: metrics);
        metrics.StartJoin(seedCount: 1);
        var peer = ChitchatId.ForLocalTest(13_003);

        node.UpdateNodesLiveness();
        Stopped("chitchat.join", "join-13002").Should().BeEmpty("no peer is live yet");
        for (ulong heartbeat = 1; heartbeat <= 3; heartbeat++)
        {
            node.ReportHeartbeat(peer, heartbeat);
            time.Advance(TimeSpan.FromMilliseconds(500));
        }

        node.UpdateNodesLiveness();
        node.UpdateNodesLiveness();

        var join = Stopped("chitchat.join", "join-13002").Should().ContainSingle().Subject;
        join.Status.Should().Be(ActivityStatusCode.Ok);
        join.GetTagItem("chitchat.join.outcome").Should().Be("joined");
        join.GetTagItem("chitchat.join.seeds").Should().Be(1);
        metrics.Dispose();
        Stopped("chitchat.join", "join-13002").Should().ContainSingle("disposal does not end it twice");
    }

    [Fact]
    public void ProcessDelta_ResetDelta_TracedAsResetActivity()
    {
        var node = new ChitchatInstance(Config(13_011), metrics: new ChitchatMetrics("reset-13011", meterFactory: null));
        var peer = ChitchatId.ForLocalTest(13_012);
        var digest = new Digest();
        digest.Add(peer, 0, 10, 30);
        node.ProcessMessage(new ChitchatMessage.Syn(node.ClusterId, digest));
        node.ProcessDelta(Delta.FromNodeDeltas([new NodeDelta(peer, 0, 0, 1, [new KeyValueMutation("key", "value", 1, DeletionStatus.Set)])]));
        node.NodeState(peer)!.Get("key").Should().Be("value");
        Stopped("chitchat.reset", "reset-13011").Should().BeEmpty("a delta that does not reset is not traced");

        node.ProcessDelta(Delta.FromNodeDeltas([new NodeDelta(peer, 1_000, 0, 2, [new KeyValueMutation("key", "value2", 2, DeletionStatus.Set)])]));

        var reset = Stopped("chitchat.reset", "reset-13011").Should().ContainSingle().Subject;
        reset.GetTagItem("chitchat.reset.member").Should().Be(peer.ToString());
        reset.GetTagItem("chitchat.reset.last_gc_version").Should().Be(1_000UL);
        reset.GetTagItem("chitchat.reset.applied").Should().Be(true);
    }

    [Fact]
    public void ResetNodeStateIfUpdate_Applied_TracedAsCatchupActivity()
    {
        var node = new ChitchatInstance(Config(13_021), metrics: new ChitchatMetrics("catchup-13021", meterFactory: null));
        var peer = ChitchatId.ForLocalTest(13_022);

        node.ResetNodeStateIfUpdate(peer, [new("foo", new VersionedValue("bar", 1, DeletionStatus.Set))], 1, 1_337).Should().BeTrue();
        node.ResetNodeStateIfUpdate(peer, [new("foo", new VersionedValue("bar", 1, DeletionStatus.Set))], 1, 1_337).Should().BeFalse();

        var catchup = Stopped("chitchat.catchup", "catchup-13021").Should().ContainSingle("an obsolete snapshot is not applied").Subject;
        catchup.GetTagItem("chitchat.reset.member").Should().Be(peer.ToString());
        catchup.GetTagItem("chitchat.reset.max_version").Should().Be(1UL);
    }

    [Fact]
    public async Task LeaveAsync_Running_TracedFromAnnouncementToStop()
    {
        var time = new FakeTimeProvider();
        var config = ChitchatConfig.ForTest(13_031);
        await using var node = await ChitchatServer.SpawnChitchatAsync(config, NewTransport(), new ChitchatServerOptions { TimeProvider = time });

        await node.WhenGossipRoundsCompletedAsync(1).WaitAsync(TestTimeout); // the round run at start

        var leaving = node.LeaveAsync();
        Started("chitchat.leave", config.NodeId).Should().ContainSingle();
        Stopped("chitchat.leave", config.NodeId).Should().BeEmpty("it lasts while the announcement is gossiped");
        // One interval at a time, each round served before the next tick: ticks that find the previous one unserved are
        // merged, as a periodic timer's are, and the leave waits for two rounds.
        for (var i = 0; i < 2 * ChitchatHandle.LeaveRounds && !leaving.IsCompleted; i++)
        {
            var next = node.CompletedGossipRounds + 1;
            time.Advance(config.GossipInterval);
            await node.WhenGossipRoundsCompletedAsync(next).WaitAsync(TestTimeout);
        }

        await leaving.WaitAsync(TestTimeout);

        var leave = Stopped("chitchat.leave", config.NodeId).Should().ContainSingle().Subject;
        leave.Status.Should().Be(ActivityStatusCode.Ok);
        leave.GetTagItem("chitchat.leave.announced").Should().Be(true);
    }

    private static string? Node(Activity activity) => activity.GetTagItem(ChitchatDiagnostics.NodeTag) as string;

    private List<Activity> Started(string name, string nodeId) =>
        _started.Where(a => a.OperationName == name && Node(a) == nodeId).ToList();

    private List<Activity> Stopped(string name, string nodeId) =>
        _stopped.Where(a => a.OperationName == name && Node(a) == nodeId).ToList();
}
