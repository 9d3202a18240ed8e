namespace Chitchat.Server;

/// <summary>Why a Syn is sent; decides how loudly a failed send is logged.</summary>
internal enum GossipKind
{
    /// <summary>A live node (or, at start-up, any known node) picked by the gossip round.</summary>
    Live,

    /// <summary>The dead node a gossip round may add, to notice it coming back.</summary>
    Dead,

    /// <summary>The seed a gossip round may add, to join or re-join the cluster.</summary>
    Seed,

    /// <summary>A peer named by <see cref="ChitchatHandle.Gossip"/>.</summary>
    Requested,

    /// <summary>The answer to a received message (a SynAck, an Ack or a BadCluster).</summary>
    Reply,
}
