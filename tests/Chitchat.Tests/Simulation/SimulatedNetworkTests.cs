using Chitchat.Testing.Simulation;

namespace Chitchat.Tests.Simulation;

/// <summary>Each fault primitive of the simulated network does what it says.</summary>
public sealed class SimulatedNetworkTests
{
    [Fact]
    public void Loss_DropsAboutItsShare()
    {
        var simulation = new ClusterSimulation(new ClusterSimulationOptions { Seed = 11 });
        simulation.Network.DefaultLink = new LinkConditions { Loss = 0.3 };
        simulation.AddNodes(10);
        simulation.RunFor(TimeSpan.FromSeconds(30));

        var network = simulation.Network;
        var share = network.LostDatagrams / (double)network.SentDatagrams;
        share.Should().BeInRange(0.25, 0.35);
        network.DeliveredDatagrams.Should().BeLessThanOrEqualTo(network.SentDatagrams - network.LostDatagrams);
        network.DeliveredDatagrams.Should().BeGreaterThan(network.SentDatagrams - network.LostDatagrams - 20, "only the last millisecond's datagrams are in flight");
    }

    [Fact]
    public void Duplication_DeliversCopies_AndTheClusterStillConverges()
    {
        var simulation = new ClusterSimulation(new ClusterSimulationOptions { Seed = 12 });
        simulation.Network.DefaultLink = new LinkConditions { Duplication = 0.5 };
        simulation.AddNodes(10);
        simulation.RunUntil(simulation.IsConverged, TimeSpan.FromSeconds(30)).Should().BeTrue();

        var network = simulation.Network;
        network.DuplicatedDatagrams.Should().BeGreaterThan(0);
        // More deliveries than datagrams sent: only copies explain it (some may still be in flight).
        network.DeliveredDatagrams.Should().BeGreaterThan(network.SentDatagrams);
        network.DeliveredDatagrams.Should().BeLessThanOrEqualTo(network.SentDatagrams + network.DuplicatedDatagrams);
    }

    [Fact]
    public void DelayAndReordering_ShiftDeliveries_AndTheClusterStillConverges()
    {
        var simulation = new ClusterSimulation(new ClusterSimulationOptions { Seed = 13 });
        simulation.Network.DefaultLink = new LinkConditions
        {
            Delay = TimeSpan.FromMilliseconds(100),
            Jitter = TimeSpan.FromMilliseconds(100),
            Reordering = 0.3,
            ReorderingDelay = TimeSpan.FromMilliseconds(300),
        };
        var nodes = simulation.AddNodes(8);

        // Nothing arrives before the delay has passed.
        simulation.RunFor(TimeSpan.FromMilliseconds(99));
        nodes.Sum(node => node.ReceivedDatagrams).Should().Be(0);
        simulation.RunUntil(simulation.IsConverged, TimeSpan.FromSeconds(30)).Should().BeTrue();
        simulation.AssertNoFalseDeaths();
    }

    [Fact]
    public void DatagramOverTheMtu_IsDropped()
    {
        var simulation = new ClusterSimulation(new ClusterSimulationOptions { Seed = 14 });

        // Joining nodes pad their Syns to 16 KiB: none of them passes a 1,400-byte MTU, so nobody meets anybody.
        simulation.Network.Mtu = 1_400;
        var nodes = simulation.AddNodes(5);
        simulation.RunFor(TimeSpan.FromSeconds(10));
        simulation.Network.OversizedDatagrams.Should().BeGreaterThan(0);
        simulation.Network.DeliveredDatagrams.Should().Be(0);
        nodes[1].Chitchat.LiveMembers.Current.Should().HaveCount(1);

        // With room for them, the same nodes converge.
        simulation.Network.Mtu = SimulatedNetwork.MaxUdpPayload;
        simulation.RunUntil(simulation.IsConverged, TimeSpan.FromSeconds(30)).Should().BeTrue();
    }

    [Fact]
    public void AsymmetricBlock_DropsOneDirectionOnly()
    {
        var simulation = new ClusterSimulation(new ClusterSimulationOptions { Seed = 15, StaggerStart = false });
        var nodes = simulation.AddNodes(2);

        // Node 0 (the seed) hears node 1, but node 1 never hears node 0: node 0 learns of node 1 from its Syns, while
        // node 1 never gets an answer, and never learns of node 0.
        simulation.Network.Block(nodes[0], nodes[1]);
        simulation.Network.IsBlocked(nodes[0], nodes[1]).Should().BeTrue();
        simulation.Network.IsBlocked(nodes[1], nodes[0]).Should().BeFalse();
        simulation.RunFor(TimeSpan.FromSeconds(10));
        simulation.Network.BlockedDatagrams.Should().BeGreaterThan(0);
        nodes[1].ReceivedDatagrams.Should().Be(0);
        nodes[0].ReceivedDatagrams.Should().BeGreaterThan(0);
        nodes[0].Chitchat.TryGetNodeState(nodes[1].Id, out _).Should().BeTrue();
        nodes[1].Chitchat.TryGetNodeState(nodes[0].Id, out _).Should().BeFalse();

        simulation.Network.Unblock(nodes[0], nodes[1]);
        simulation.RunUntil(simulation.IsConverged, TimeSpan.FromSeconds(30)).Should().BeTrue();
    }

    [Fact]
    public void PerLinkConditions_OverrideTheDefault()
    {
        var simulation = new ClusterSimulation(new ClusterSimulationOptions { Seed = 16 });
        var nodes = simulation.AddNodes(3);
        simulation.Network.SetLink(nodes[2], nodes[0], new LinkConditions { Loss = 1 });
        simulation.RunFor(TimeSpan.FromSeconds(10));
        simulation.Network.LostDatagrams.Should().BeGreaterThan(0);
        simulation.Network.LostDatagrams.Should().BeLessThan(simulation.Network.SentDatagrams / 2);

        simulation.Network.SetLink(nodes[2], nodes[0], null);
        var lost = simulation.Network.LostDatagrams;
        simulation.RunFor(TimeSpan.FromSeconds(10));
        simulation.Network.LostDatagrams.Should().Be(lost);
    }

    [Fact]
    public void LinkConditions_RejectOutOfRangeValues()
    {
        var network = new ClusterSimulation().Network;
        var act = () => network.DefaultLink = new LinkConditions { Loss = 1.5 };
        act.Should().Throw<ArgumentOutOfRangeException>();
        act = () => network.DefaultLink = new LinkConditions { Delay = TimeSpan.FromSeconds(-1) };
        act.Should().Throw<ArgumentOutOfRangeException>();
    }
}
