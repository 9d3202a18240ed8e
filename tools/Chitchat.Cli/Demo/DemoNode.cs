using System.Net;

namespace Chitchat.Cli.Demo;

/// <summary>One incarnation of a demo node: a chitchat server in this process, on its own UDP socket.</summary>
internal sealed class DemoNode
{
    private readonly Testing.TestCluster _cluster;
    private volatile bool _crashed;

    public DemoNode(int slot, ChitchatHandle handle, IReadOnlyList<string> seeds, Testing.TestCluster cluster)
    {
        Slot = slot;
        Handle = handle;
        Seeds = seeds;
        _cluster = cluster;
    }

    /// <summary>Gets the node's place in the cluster (0 = the first node, which the others use as seed).</summary>
    public int Slot { get; }

    public ChitchatHandle Handle { get; }

    public IReadOnlyList<string> Seeds { get; }

    public ChitchatId Id => Handle.ChitchatId;

    public string Name => Id.NodeId;

    public IPEndPoint Address => Id.GossipAdvertiseEndPoint;

    /// <summary>Gets whether this incarnation was crashed (its gossip loop cancelled and its socket closed).</summary>
    public bool IsCrashed => _crashed;

    /// <summary>Crashes the node: the loop is cancelled and the socket closed, with no goodbye to the peers.</summary>
    public void Crash()
    {
        _crashed = true;
        _cluster.Crash(Handle);
    }

    /// <summary>The ids this node currently considers live (itself included).</summary>
    public HashSet<ChitchatId> LiveNodes() => [.. Handle.Chitchat.GetClusterState().LiveNodes];
}
