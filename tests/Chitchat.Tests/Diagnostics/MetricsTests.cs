using System.Net;
using System.Net.Sockets;
using Chitchat.Diagnostics;
using Chitchat.Tests.Server;
using Chitchat.Tests.Transport;
using Chitchat.Tests.Wire;
using Chitchat.Transport;
using Chitchat.Wire;
using Microsoft.Extensions.Diagnostics.Metrics.Testing;
using Microsoft.Extensions.Time.Testing;
using static Chitchat.Tests.Server.ServerTestSupport;

namespace Chitchat.Tests.Diagnostics;

/// <summary>The instruments of the "Chitchat" meter, read through MetricCollector as an exporter would.</summary>
public sealed class MetricsTests : IDisposable
{
    private readonly TestMeterFactory _meters = new();

    public void Dispose() => _meters.Dispose();

    [Theory]
    [InlineData(ProtocolVersion.V0)]
    [InlineData(ProtocolVersion.V1)]
    public async Task Handshake_TwoInMemoryNodes_MessageAndByteCountsEqualTheTransportStatistics(ProtocolVersion version)
    {
        // One container (meter factory) per node, as two services would have.
        using var seedMeters = new TestMeterFactory();
        using var joinerMeters = new TestMeterFactory();
        string[] names = ["chitchat.messages.sent", "chitchat.bytes.sent", "chitchat.messages.received", "chitchat.bytes.received"];
        var collectors = names.ToDictionary(
            name => name,
            name => new[] { new MetricCollector<long>(seedMeters, ChitchatDiagnostics.Name, name), new MetricCollector<long>(joinerMeters, ChitchatDiagnostics.Name, name) });
        using var seedDigests = new MetricCollector<int>(seedMeters, ChitchatDiagnostics.Name, "chitchat.digest.entries");
        using var seedRounds = new MetricCollector<long>(seedMeters, ChitchatDiagnostics.Name, "chitchat.gossip.rounds");
        using var joinerDigests = new MetricCollector<int>(joinerMeters, ChitchatDiagnostics.Name, "chitchat.digest.entries");
        var time = new FakeTimeProvider();
        var transport = NewTransport();
        var seedConfig = WithInitialKeyValues(ChitchatConfig.ForTest(12_001), ("role", "seed"));
        var joinerConfig = WithInitialKeyValues(ChitchatConfig.ForTest(12_002), ("role", "joiner"));
        seedConfig.ProtocolVersion = joinerConfig.ProtocolVersion = version;
        joinerConfig.SeedNodes = [seedConfig.ChitchatId.GossipAdvertiseAddr.ToString()];
        await using var seed = await ChitchatServer.SpawnChitchatAsync(
            seedConfig, transport, new ChitchatServerOptions { TimeProvider = time, MeterFactory = seedMeters });
        // The seed's round at start finds nobody to gossip with; once it is planned, the seed only answers.
        await seedRounds.WaitForMeasurementsAsync(1, TestTimeout);
        var ackApplied = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        using var subscription = seed.Chitchat.SubscribeKeyChanges("role", change =>
        {
            if (change.Value == "joiner")
            {
                ackApplied.TrySetResult();
            }
        });

        // The joiner's first gossip round, at once: Syn to the seed, SynAck back, Ack to the seed.
        await using var joiner = await ChitchatServer.SpawnChitchatAsync(
            joinerConfig, transport, new ChitchatServerOptions { TimeProvider = time, MeterFactory = joinerMeters });
        await ackApplied.Task.WaitAsync(TestTimeout);

        // Stopped, the loops have counted everything they sent; the clock never moved, so nothing else was sent.
        await joiner.ShutdownAsync();
        await seed.ShutdownAsync();
        var statistics = transport.Statistics;
        long Total(string name) => collectors[name].Sum(collector => collector.GetMeasurementSnapshot().Sum(m => m.Value));
        Total("chitchat.messages.sent").Should().Be((long)statistics.NumMessagesTotal);
        Total("chitchat.bytes.sent").Should().Be((long)statistics.NumBytesTotal);
        Total("chitchat.messages.received").Should().Be((long)statistics.NumMessagesTotal, "nothing was dropped on the way");
        Total("chitchat.bytes.received").Should().Be((long)statistics.NumBytesTotal);
        statistics.NumMessagesTotal.Should().Be(3);
        collectors["chitchat.messages.sent"].SelectMany(collector => collector.GetMeasurementSnapshot())
            .Select(m => ((string)m.Tags[ChitchatDiagnostics.NodeTag]!, (string)m.Tags[ChitchatDiagnostics.MessageTypeTag]!, (int)m.Tags[ChitchatDiagnostics.ProtocolVersionTag]!))
            .Should().BeEquivalentTo(new[]
            {
                (joinerConfig.NodeId, "syn", (int)version), (seedConfig.NodeId, "syn_ack", (int)version), (joinerConfig.NodeId, "ack", (int)version),
            });
        joinerDigests.GetMeasurementSnapshot().Should().ContainSingle().Which.Value.Should().Be(1, "the joiner's Syn knew only itself");
        seedDigests.GetMeasurementSnapshot().Should().ContainSingle().Which.Value.Should().Be(2, "the seed's SynAck knew both");
        seedRounds.GetMeasurementSnapshot().Sum(m => m.Value).Should().Be(1, "the round at start; the clock never moved");
        foreach (var collector in collectors.Values.SelectMany(pair => pair))
        {
            collector.Dispose();
        }
    }

    [Fact]
    public async Task Receive_ForgedAndUndecodableDatagramsOverUdp_CountedByReason()
    {
        using var dropped = Collect<long>("chitchat.datagrams.dropped");
        var config = new ChitchatConfig { NodeId = "metrics-udp", ListenAddress = "127.0.0.1:0" };
        await using var node = await ChitchatServer.SpawnChitchatAsync(config, new UdpTransport(), Options(new FakeTimeProvider()));
        using var raw = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
        raw.Bind(new IPEndPoint(IPAddress.Loopback, 0));

        await raw.SendToAsync(new byte[] { 1, 2, 3, 4 }, SocketFlags.None, node.ListenEndPoint);
        await raw.SendToAsync(new byte[] { 0x53, 0xB0, 0x00, 0x09 }, SocketFlags.None, node.ListenEndPoint);
        await raw.SendToAsync(FuzzCorpus.BombAck(WireBytes.RleBombFrame(), WireFormat.MaxUdpDatagramPayloadSize), SocketFlags.None, node.ListenEndPoint);
        await raw.SendToAsync(new ChitchatMessage.Syn("another-cluster", new Digest()).SerializeToArray(), SocketFlags.None, node.ListenEndPoint);

        // The BadCluster answer to the last datagram comes after the node handled the ones before it.
        var reply = await ReceiveRawAsync(raw);
        ChitchatMessage.TryDeserialize(reply, out var badCluster, out _).Should().BeTrue();
        badCluster.Should().BeOfType<ChitchatMessage.BadCluster>();
        DropsByReason(dropped, config.NodeId).Should().Contain(new Dictionary<string, long>
        {
            ["undecodable"] = 2, ["decompression_cap"] = 1, ["wrong_cluster"] = 1,
        });
        DropsByReason(dropped, config.NodeId).Should().NotContainKey("state_budget");
    }

    [Fact]
    public async Task Receive_PlaintextAndForgedEnvelopesOnAnEncryptedNode_CountedByReason()
    {
        using var dropped = Collect<long>("chitchat.datagrams.dropped");
        var config = new ChitchatConfig { NodeId = "metrics-encrypted", ListenAddress = "127.0.0.1:0" };
        var keyring = EncryptionKeyring.Create(new byte[32].Fill(0x11));
        var encrypted = new UdpTransport().WithEncryption(keyring, config.ClusterId);
        await using var node = await ChitchatServer.SpawnChitchatAsync(config, encrypted, Options(new FakeTimeProvider()));
        await using var plaintext = await new UdpTransport().OpenAsync(new IPEndPoint(IPAddress.Loopback, 0));
        await using var otherKey = await new UdpTransport().WithEncryption(EncryptionKeyring.Create(new byte[32].Fill(0x22)), config.ClusterId)
            .OpenAsync(new IPEndPoint(IPAddress.Loopback, 0));
        await using var probe = await encrypted.OpenAsync(new IPEndPoint(IPAddress.Loopback, 0));

        await plaintext.SendAsync(node.ListenEndPoint, new ChitchatMessage.Syn(config.ClusterId, new Digest()));
        await otherKey.SendAsync(node.ListenEndPoint, new ChitchatMessage.Syn(config.ClusterId, new Digest()));
        await probe.SendAsync(node.ListenEndPoint, new ChitchatMessage.Syn("another-cluster", new Digest()));

        (await probe.ReceiveAsync()).Message.Should().BeOfType<ChitchatMessage.BadCluster>();
        DropsByReason(dropped, config.NodeId).Should().Contain(new Dictionary<string, long>
        {
            ["plaintext_refused"] = 1, ["unknown_key"] = 1, ["wrong_cluster"] = 1,
        });
    }

    [Fact]
    public async Task Receive_ShortPlaintextSynOnAnEncryptingNode_ReplyWithheldAndCountedAsAntiAmplification()
    {
        using var dropped = Collect<long>("chitchat.datagrams.dropped");
        var config = new ChitchatConfig { NodeId = "metrics-amplification", ListenAddress = "127.0.0.1:0", ClusterId = "c" };
        var encrypted = new UdpTransport().WithEncryption(EncryptionKeyring.Create(new byte[32].Fill(0x33)), config.ClusterId, EncryptionMode.Accept);
        await using var node = await ChitchatServer.SpawnChitchatAsync(config, encrypted, Options(new FakeTimeProvider()));
        await using var plaintext = await new UdpTransport().OpenAsync(new IPEndPoint(IPAddress.Loopback, 0));
        await using var probe = await encrypted.OpenAsync(new IPEndPoint(IPAddress.Loopback, 0));

        // 10 bytes of Syn cannot be answered by an encrypted SynAck (36 bytes of envelope alone) without amplifying.
        (await plaintext.SendAsync(node.ListenEndPoint, new ChitchatMessage.Syn(config.ClusterId, new Digest()))).Should().BeLessThan(DatagramEnvelope.Overhead);
        await probe.SendAsync(node.ListenEndPoint, new ChitchatMessage.Syn("another-cluster", new Digest()));

        (await probe.ReceiveAsync()).Message.Should().BeOfType<ChitchatMessage.BadCluster>();
        DropsByReason(dropped, config.NodeId).Should().Contain("anti_amplification", 1);
    }

    [Fact]
    public async Task Receive_ProcessingThrows_CountedAsProcessingFailed()
    {
        using var dropped = Collect<long>("chitchat.datagrams.dropped");
        var transport = NewTransport();
        var config = ChitchatConfig.ForTest(12_071);
        var options = Options(new FakeTimeProvider());
        options.MessageProcessor = (chitchat, received, maxReplyLength) => received.Message is ChitchatMessage.Ack
            ? throw new InvalidOperationException("injected")
            : chitchat.ProcessMessage(received.Message, maxReplyLength, received.From);
        await using var node = await ChitchatServer.SpawnChitchatAsync(config, transport, options);
        await using var raw = await transport.OpenAsync(Loopback(12_072));

        await raw.SendAsync(config.ChitchatId.GossipAdvertiseAddr, new ChitchatMessage.Ack(Delta.Empty));
        await raw.SendAsync(config.ChitchatId.GossipAdvertiseAddr, new ChitchatMessage.Syn("another-cluster", new Digest()));
        await raw.ReceiveAsync<ChitchatMessage.BadCluster>();

        DropsByReason(dropped, config.NodeId).Should().Contain("processing_failed", 1);
    }

    [Fact]
    public async Task GossipRound_SynLargerThanTheTransportsMtu_CountedAsTooLargeAndNotSent()
    {
        using var dropped = Collect<long>("chitchat.datagrams.dropped");
        using var sent = Collect<long>("chitchat.messages.sent");
        var transport = Chitchat.Testing.InMemoryTransport.WithMtu(1_000);
        var config = ChitchatConfig.ForTest(12_081);
        config.SeedNodes = [Loopback(12_082).ToString()];
        var node = await ChitchatServer.SpawnChitchatAsync(config, transport, Options(new FakeTimeProvider()));

        // The round at start pads its Syn to the seed (which has not answered yet) to 16 KiB: over this MTU.
        await node.ShutdownAsync();

        DropsByReason(dropped, config.NodeId).Should().Contain("too_large", 1);
        sent.GetMeasurementSnapshot().Should().BeEmpty();
        transport.Statistics.NumMessagesTotal.Should().Be(0);
    }

    [Fact]
    public async Task ReceiveAck_OverTheStateBudget_CountedAsStateBudgetDrop()
    {
        using var dropped = Collect<long>("chitchat.datagrams.dropped");
        var transport = NewTransport();
        var config = ChitchatConfig.ForTest(12_011);
        config.MaxKeysPerNode = 5;
        await using var node = await ChitchatServer.SpawnChitchatAsync(config, transport, Options(new FakeTimeProvider()));
        var peerConfig = ChitchatConfig.ForTest(12_012);
        for (var i = 0; i < 20; i++)
        {
            peerConfig.InitialKeyValues[$"key-{i:D2}"] = "value";
        }

        var peer = new ChitchatInstance(peerConfig);
        await using var raw = await transport.OpenAsync(peerConfig.ChitchatId.GossipAdvertiseAddr);

        // A handshake driven by hand: the node learns the peer from its Syn, then refuses its 20 keys.
        await raw.SendAsync(config.ChitchatId.GossipAdvertiseAddr, peer.CreateSynMessage().WithPadding(16 * 1024));
        var (_, synAck) = await raw.ReceiveAsync<ChitchatMessage.SynAck>();
        var ack = peer.ProcessMessage(synAck).Should().BeOfType<ChitchatMessage.Ack>().Subject;
        ack.Delta.NodeDeltas.Should().ContainSingle().Which.KeyValues.Should().HaveCount(20);
        await raw.SendAsync(config.ChitchatId.GossipAdvertiseAddr, ack);
        await raw.SendAsync(config.ChitchatId.GossipAdvertiseAddr, new ChitchatMessage.Syn("another-cluster", new Digest()));
        await raw.ReceiveAsync<ChitchatMessage.BadCluster>();

        DropsByReason(dropped, config.NodeId).Should().Contain("state_budget", 1);
        node.Chitchat.TryGetNodeState(peerConfig.ChitchatId, out var replica).Should().BeTrue();
        replica!.Count.Should().Be(0, "the refused node delta left the replica as it was");
    }

    [Fact]
    public void ProcessMessage_NewMembersBeyondTheLimits_CountedByLimit()
    {
        var metrics = new ChitchatMetrics("limits", _meters);
        using var dropped = Collect<long>("chitchat.datagrams.dropped");
        var config = HandshakeConfig(12_021);
        config.MaxNewMembersPerSource = 2;
        var node = new ChitchatInstance(config, new FakeTimeProvider(), metrics: metrics);
        var source = new IPEndPoint(IPAddress.Loopback, 12_022);

        node.ProcessMessage(new ChitchatMessage.Syn(config.ClusterId, DigestOf(12_100, 5)), source: source);

        DropsByReason(dropped, "limits").Should().Contain("new_member_limit", 1);
        DropsByReason(dropped, "limits").Should().NotContainKey("member_cap");
        node.NodeStates.Should().HaveCount(3, "itself and two of the five");
    }

    [Fact]
    public void ComputePartialDelta_PeerMissesMoreThanFits_CountsATruncation()
    {
        var metrics = new ChitchatMetrics("truncation", _meters);
        using var truncations = Collect<long>("chitchat.delta.truncations");
        var config = HandshakeConfig(12_031);
        for (var i = 0; i < 100; i++)
        {
            config.InitialKeyValues[$"key-{i:D3}"] = new string('v', 100);
        }

        var node = new ChitchatInstance(config, new FakeTimeProvider(), metrics: metrics);
        var excluded = new HashSet<ChitchatId>();

        node.ClusterState.ComputePartialDelta(new Digest(), 60_000, excluded, Microsoft.Extensions.Logging.Abstractions.NullLogger.Instance);
        truncations.GetMeasurementSnapshot().Should().BeEmpty("everything fitted");
        node.ClusterState.ComputePartialDelta(new Digest(), 1_000, excluded, Microsoft.Extensions.Logging.Abstractions.NullLogger.Instance);

        truncations.GetMeasurementSnapshot().Should().ContainSingle().Which.Value.Should().Be(1);
    }

    [Fact]
    public void UpdateNodesLiveness_PeerLiveThenDeadThenScheduledForDeletion_GaugesFollow()
    {
        var time = new FakeTimeProvider();
        var config = HandshakeConfig(12_041);
        config.InitialKeyValues["role"] = "indexer";
        config.InitialKeyValues["zone"] = "a";
        config.FailureDetectorConfig.DeadNodeGracePeriod = TimeSpan.FromMinutes(10);
        var node = new ChitchatInstance(config, time, metrics: new ChitchatMetrics("gauges", _meters));
        using var members = Collect<int>("chitchat.members");
        using var keys = Collect<int>("chitchat.state.keys");
        using var bytes = Collect<long>("chitchat.state.bytes");
        using var phi = Collect<double>("chitchat.failure_detector.phi");
        var peer = ChitchatId.ForLocalTest(12_042);
        for (ulong heartbeat = 1; heartbeat <= 3; heartbeat++)
        {
            node.ReportHeartbeat(peer, heartbeat);
            time.Advance(TimeSpan.FromMilliseconds(500));
        }

        node.UpdateNodesLiveness();
        MembersByState(members).Should().Equal(new Dictionary<string, int> { ["live"] = 2, ["dead"] = 0, ["scheduled_for_deletion"] = 0 });
        phi.GetMeasurementSnapshot().Should().ContainSingle().Which.Value.Should().BeInRange(0, config.FailureDetectorConfig.PhiThreshold);

        time.Advance(TimeSpan.FromMinutes(1));
        node.UpdateNodesLiveness();
        MembersByState(members).Should().Equal(new Dictionary<string, int> { ["live"] = 1, ["dead"] = 1, ["scheduled_for_deletion"] = 0 });

        time.Advance(TimeSpan.FromMinutes(6));
        node.UpdateNodesLiveness();
        MembersByState(members).Should().Equal(new Dictionary<string, int> { ["live"] = 1, ["dead"] = 0, ["scheduled_for_deletion"] = 1 });

        keys.RecordObservableInstruments();
        keys.LastMeasurement!.Value.Should().Be(2);
        bytes.RecordObservableInstruments();
        bytes.LastMeasurement!.Value.Should().Be(node.SelfNodeState.StateBytes).And.BePositive();
        bytes.LastMeasurement.Tags[ChitchatDiagnostics.NodeTag].Should().Be("gauges");
    }

    [Fact]
    public async Task Spawn_MeterFactory_MeterCreatedThroughItAndGaugesSilentOnceStopped()
    {
        using var members = Collect<int>("chitchat.members");
        var node = await ChitchatServer.SpawnChitchatAsync(ChitchatConfig.ForTest(12_051), NewTransport(), Options(new FakeTimeProvider()));

        _meters.Meters.Should().ContainSingle().Which.Name.Should().Be("Chitchat");
        members.RecordObservableInstruments();
        members.GetMeasurementSnapshot().Should().HaveCount(3);
        await node.ShutdownAsync();
        members.Clear();
        members.RecordObservableInstruments();

        members.GetMeasurementSnapshot().Should().BeEmpty("a stopped node reports no members");
    }

    [Fact]
    public async Task Spawn_NoMeterFactory_OwnMeterDisposedWithTheNode()
    {
        var node = await ChitchatServer.SpawnChitchatAsync(ChitchatConfig.ForTest(12_061), NewTransport());
        var meter = node.Chitchat.Instance.Metrics.Meter!;
        meter.Name.Should().Be("Chitchat");
        var published = new List<string>();
        using var listener = new System.Diagnostics.Metrics.MeterListener
        {
            InstrumentPublished = (instrument, listener) =>
            {
                if (ReferenceEquals(instrument.Meter, meter))
                {
                    published.Add(instrument.Name);
                    listener.EnableMeasurementEvents(instrument);
                }
            },
        };
        var completed = 0;
        listener.MeasurementsCompleted = (instrument, _) => Interlocked.Increment(ref completed);
        listener.Start();
        published.Should().Contain(["chitchat.messages.sent", "chitchat.datagrams.dropped", "chitchat.members", "chitchat.gossip.rounds"]);

        await node.ShutdownAsync();

        completed.Should().BeGreaterThan(0, "disposing the meter completes its instruments");
    }

    private static ChitchatConfig HandshakeConfig(int port) => Core.HandshakeHelpers.Config(port);

    private static Digest DigestOf(int firstPort, int count)
    {
        var digest = new Digest();
        for (var i = 0; i < count; i++)
        {
            digest.Add(ChitchatId.ForLocalTest(firstPort + i), 1, 0, 0);
        }

        return digest;
    }

    private static Dictionary<string, long> DropsByReason(MetricCollector<long> collector, string nodeId) =>
        collector.GetMeasurementSnapshot()
            .Where(m => (string?)m.Tags[ChitchatDiagnostics.NodeTag] == nodeId)
            .GroupBy(m => (string)m.Tags[ChitchatDiagnostics.DropReasonTag]!)
            .ToDictionary(g => g.Key, g => g.Sum(m => m.Value));

    private static Dictionary<string, int> MembersByState(MetricCollector<int> collector)
    {
        collector.Clear();
        collector.RecordObservableInstruments();
        return collector.GetMeasurementSnapshot().ToDictionary(m => (string)m.Tags[ChitchatDiagnostics.MemberStateTag]!, m => m.Value);
    }

    private static async Task<byte[]> ReceiveRawAsync(Socket raw)
    {
        var buffer = new byte[65_536];
        using var timeout = new CancellationTokenSource(TestTimeout);
        var length = await raw.ReceiveAsync(buffer, SocketFlags.None, timeout.Token);
        return buffer.AsSpan(0, length).ToArray();
    }

    private MetricCollector<T> Collect<T>(string instrument)
        where T : struct => new(_meters, ChitchatDiagnostics.Name, instrument);

    private ChitchatServerOptions Options(TimeProvider time) => new() { TimeProvider = time, MeterFactory = _meters };
}
