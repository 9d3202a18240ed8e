using System.Reflection;
using Chitchat.State;
using Microsoft.Extensions.Time.Testing;
using static Chitchat.Tests.Core.HandshakeHelpers;

namespace Chitchat.Tests.Api;

/// <summary>Everything a caller can hold outside the node's lock is immutable; only the own state is writable.</summary>
public sealed class ReadOnlySurfaceTests
{
    private static readonly Assembly s_library = typeof(ChitchatRef).Assembly;

    [Fact]
    public void PublicSurface_HasNoMutableNodeState()
    {
        // Today's replica type (NodeState, with Set/Delete) must not be reachable by callers at all.
        s_library.GetExportedTypes().Select(t => t.Name).Should().NotContain(["NodeState", "ChitchatInstance"]);
    }

    [Fact]
    public void PublicSurface_TheReviewedTypesAndNoTestHelpers()
    {
        var exported = s_library.GetExportedTypes();

        // The 1.0 candidate surface: 25 types, opt-in encryption included. A new public type is a decision, taken by
        // adding it here.
        exported.Select(t => t.FullName).Should().BeEquivalentTo(
        [
            "Chitchat.ChitchatConfig", "Chitchat.ChitchatHandle", "Chitchat.ChitchatId", "Chitchat.ChitchatRef",
            "Chitchat.ChitchatServer", "Chitchat.ChitchatServerOptions",
            "Chitchat.ProtocolVersion", "Chitchat.VersionedValue", "Chitchat.Wire.ChitchatMessage",
            "Chitchat.Transport.EncryptionKeyring", "Chitchat.Transport.EncryptionMode", "Chitchat.Transport.ISocket",
            "Chitchat.Transport.ITransport", "Chitchat.Transport.MessageTooLargeException", "Chitchat.Transport.ReceivedMessage",
            "Chitchat.Transport.UdpTransport", "Chitchat.State.ClusterStateSnapshot", "Chitchat.State.LiveMembersWatch",
            "Chitchat.State.NodeStateSnapshot", "Chitchat.Json.ChitchatJsonContext", "Chitchat.FailureDetection.FailureDetectorConfig",
            "Chitchat.FailureDetection.NodeLiveness", "Chitchat.FailureDetection.NodeLivenessState", "Chitchat.Changes.ClusterChange",
            "Chitchat.Changes.ClusterChangeKind",
        ]);
        exported.Select(t => t.Name).Should().NotContain(["InMemoryTransport", "TransportExtensions", "Digest", "Delta", "MessageCodec"]);
        var testHelpers = exported.SelectMany(t => t.GetMethods(BindingFlags.Public | BindingFlags.Static | BindingFlags.Instance | BindingFlags.DeclaredOnly))
            .Where(m => m.Name.Contains("ForTest", StringComparison.Ordinal) || m.Name.Contains("ForLocalTest", StringComparison.Ordinal));
        testHelpers.Should().BeEmpty();
        exported.Where(t => !t.IsAbstract && !t.IsValueType && !t.IsEnum && t.GetConstructors().Length > 0)
            .Select(t => t.Name)
            .Should().NotContain(["ChitchatInstance", "LiveMembersWatch", "ChitchatRef", "ChitchatHandle", "NodeStateSnapshot", "ClusterStateSnapshot"],
                "these are obtained from a running node, never constructed by callers");
    }

    [Theory]
    [InlineData(typeof(NodeStateSnapshot))]
    [InlineData(typeof(ClusterStateSnapshot))]
    [InlineData(typeof(VersionedValue))]
    [InlineData(typeof(ChitchatId))]
    public void Snapshots_HaveNoMutators(Type type)
    {
        var setters = type.GetProperties(BindingFlags.Public | BindingFlags.Instance).Where(p => p.SetMethod?.IsPublic == true);
        setters.Should().BeEmpty();
        var voidMethods = type.GetMethods(BindingFlags.Public | BindingFlags.Instance | BindingFlags.DeclaredOnly)
            .Where(m => m.ReturnType == typeof(void) && !m.IsSpecialName);
        voidMethods.Should().BeEmpty($"{type.Name} is immutable");
    }

    [Fact]
    public void ChitchatId_GossipAdvertiseEndPoint_IsACopy()
    {
        var id = ChitchatId.ForLocalTest(7000);

        id.GossipAdvertiseEndPoint.Port = 1;

        id.GossipAdvertiseEndPoint.Port.Should().Be(7000);
        id.Should().Be(ChitchatId.ForLocalTest(7000));
    }

    [Fact]
    public void GetClusterState_LaterWrites_DoNotChangeTheSnapshot()
    {
        var chitchat = new ChitchatRef(new ChitchatInstance(Config(10_001), [Kv("k", "v1")]));
        var snapshot = chitchat.GetClusterState();

        chitchat.Set("k", "v2");
        chitchat.Set("other", "x");

        snapshot.TryGetNodeState(chitchat.ChitchatId, out var self).Should().BeTrue();
        self!.TryGetValue("k", out var value).Should().BeTrue();
        value.Should().Be("v1");
        self.ContainsKey("other").Should().BeFalse();
        chitchat.GetSelfNodeState().TryGetValue("k", out var now).Should().BeTrue();
        now.Should().Be("v2");
    }

    [Fact]
    public void GetClusterState_UnchangedMembers_ShareTheirNodeSnapshots()
    {
        var time = new FakeTimeProvider();
        var node = new ChitchatInstance(Config(10_001), timeProvider: time);
        var peers = Enumerable.Range(10_002, 300).Select(port => new ChitchatInstance(Config(port), [Kv("role", "worker")], time)).ToList();
        foreach (var peer in peers)
        {
            RunHandshake(node, peer);
        }

        var first = node.StateSnapshot();
        node.SelfNodeState.Set("k", "v");
        var second = node.StateSnapshot();

        second.NodeStates.Should().HaveCount(301);
        var shared = first.NodeStates.Zip(second.NodeStates).Count(pair => ReferenceEquals(pair.First, pair.Second));
        shared.Should().Be(300, "only the changed member gets a new snapshot");
        second.TryGetNodeState(node.SelfChitchatId, out var self).Should().BeTrue();
        self!.ContainsKey("k").Should().BeTrue();
    }

    [Fact]
    public void NodeSnapshot_HeartbeatOnlyChange_SharesEntries()
    {
        var node = new ChitchatInstance(Config(10_001), [Kv("a", "1")]);
        var before = node.SelfNodeState.ToSnapshot();

        node.UpdateSelfHeartbeat();
        var after = node.SelfNodeState.ToSnapshot();

        after.Should().NotBeSameAs(before);
        after.Heartbeat.Should().Be(before.Heartbeat + 1);
        after.Entries.Should().Equal(before.Entries);
        System.Runtime.InteropServices.ImmutableCollectionsMarshal.AsArray(after.Entries)
            .Should().BeSameAs(System.Runtime.InteropServices.ImmutableCollectionsMarshal.AsArray(before.Entries));
    }
}
