using System.Net;
using Chitchat.FailureDetection;
using Chitchat.State;

namespace Chitchat;

/// <summary>Configuration of a chitchat node (BEHAVIOUR.md §17.1).</summary>
/// <remarks>
/// The Rust crate has no production defaults; the defaults here are the values a typical deployment
/// starts from (Quickwit's scale), documented on each property. Call <see cref="Validate"/> (the server
/// does) to reject inconsistent settings with a clear message. Not thread-safe: do not change a config
/// once a node uses it.
/// </remarks>
public sealed class ChitchatConfig
{
    /// <summary>Creates a configuration for the node <paramref name="chitchatId"/>.</summary>
    /// <param name="chitchatId">The node's identity; its advertise address is also the default listen address.</param>
    public ChitchatConfig(ChitchatId chitchatId)
    {
        ArgumentNullException.ThrowIfNull(chitchatId);
        ChitchatId = chitchatId;
        ListenAddr = chitchatId.GossipAdvertiseAddr;
    }

    /// <summary>Gets or sets the node's identity.</summary>
    public ChitchatId ChitchatId { get; set; }

    /// <summary>Gets or sets the cluster id; a Syn from another cluster is answered with BadCluster.</summary>
    /// <value>The default value is <c>"default-cluster"</c>.</value>
    public string ClusterId { get; set; } = "default-cluster";

    /// <summary>Gets or sets the period of gossip rounds.</summary>
    /// <value>The default value is 1 second.</value>
    public TimeSpan GossipInterval { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>Gets or sets the address the transport binds (may differ from the advertise address behind NAT).</summary>
    /// <value>The default value is the advertise address of <see cref="ChitchatId"/>.</value>
    public IPEndPoint ListenAddr { get; set; }

    /// <summary>
    /// Gets or sets the seeds: IP socket addresses (<c>10.0.0.1:7280</c>, <c>[::1]:7280</c>) used as is, or
    /// <c>host:port</c> names resolved at start and every <see cref="SeedRefreshInterval"/>.
    /// </summary>
    /// <value>The default value is an empty list.</value>
    public IList<string> SeedNodes { get; set; } = [];

    /// <summary>
    /// Gets or sets how often seeds given as host names are resolved again while the node runs (each lookup
    /// replaces the resolved seed set, so a seed name follows the addresses its DNS records point to).
    /// </summary>
    /// <value>The default value is 60 seconds, as in the Rust crate. Must be positive.</value>
    public TimeSpan SeedRefreshInterval { get; set; } = TimeSpan.FromSeconds(60);

    /// <summary>
    /// Gets or sets the protocol version this node starts handshakes in. Replies always use the version of
    /// the message they answer, and both versions are always decoded.
    /// </summary>
    /// <remarks>
    /// Keep <see cref="ProtocolVersion.V0"/> while any member runs chitchat 0.10 or 0.11 (Rust) or an older
    /// .NET node, then switch every node to <see cref="ProtocolVersion.V1"/>, which compresses digests. A
    /// V1 node that meets a peer which only speaks V0 falls back to V0 for that peer (see the compatibility
    /// notes of the README), so a rolling upgrade works in either order.
    /// </remarks>
    /// <value>The default value is <see cref="ProtocolVersion.V0"/>.</value>
    public ProtocolVersion ProtocolVersion { get; set; } = ProtocolVersion.V0;

    /// <summary>
    /// Gets or sets the most members (this node included) the node keeps state for. Members heard of beyond it
    /// are ignored until some are forgotten, so that invented members cannot exhaust memory.
    /// </summary>
    /// <remarks>
    /// Each member costs its state (a few hundred bytes plus its key-values) and, once it heartbeats, a failure
    /// detector window of up to 8 KB. Set it comfortably above the cluster's size: a legitimate member beyond the
    /// cap cannot join.
    /// </remarks>
    /// <value>The default value is 10,000.</value>
    public int MaxMembers { get; set; } = 10_000;

    /// <summary>
    /// Gets or sets the most new members one source address may introduce per gossip interval (through the
    /// digests of its messages). A joining node still learns a large cluster in a few rounds, from several peers.
    /// </summary>
    /// <value>The default value is 1,000.</value>
    public int MaxNewMembersPerSource { get; set; } = 1_000;

    /// <summary>
    /// Gets or sets the most keys (tombstones included) one member's state may hold. Writing more to the own state
    /// throws; a delta that would give a replica more is refused.
    /// </summary>
    /// <value>The default value is 100,000.</value>
    public int MaxKeysPerNode { get; set; } = 100_000;

    /// <summary>
    /// Gets or sets the most bytes one member's state may take in memory: two bytes per character of every key
    /// and value, plus 64 per entry. Writing more to the own state throws; a delta that would grow a replica
    /// beyond it is refused.
    /// </summary>
    /// <value>The default value is 4 MiB.</value>
    public long MaxStateBytesPerNode { get; set; } = 4L * 1024 * 1024;

    /// <summary>
    /// Gets or sets the most bytes the states of all members together may take (counted as for
    /// <see cref="MaxStateBytesPerNode"/>). A delta that would grow a replica beyond it is refused; the own state
    /// is limited by <see cref="MaxStateBytesPerNode"/> only.
    /// </summary>
    /// <value>The default value is 256 MiB.</value>
    public long MaxTotalStateBytes { get; set; } = 256L * 1024 * 1024;

    /// <summary>Gets or sets the failure detector settings.</summary>
    public FailureDetectorConfig FailureDetectorConfig { get; set; } = new();

    /// <summary>Gets or sets how long tombstones and TTL'd values live before garbage collection.</summary>
    /// <value>The default value is 2 hours.</value>
    public TimeSpan MarkedForDeletionGracePeriod { get; set; } = TimeSpan.FromHours(2);

    /// <summary>
    /// Gets or sets a callback invoked once for each received delta that reset a replica; meant to start an
    /// out-of-band state transfer that ends in <see cref="ChitchatInstance.ResetNodeStateIfUpdate"/>.
    /// Called under the node's lock: keep it short and do not call back into the node.
    /// </summary>
    /// <value>The default value is <see langword="null"/>.</value>
    public Action? CatchupCallback { get; set; }

    /// <summary>
    /// Gets or sets an extra condition a live node must meet to appear in the live-nodes watch (it does
    /// not affect <see cref="ChitchatInstance.LiveNodes"/>). Called under the node's lock.
    /// </summary>
    /// <value>The default value is <see langword="null"/>.</value>
    public Func<NodeState, bool>? ExtraLivenessPredicate { get; set; }

    /// <summary>
    /// Creates the configuration Rust tests use: id <c>node-{port}</c> on 127.0.0.1, cluster
    /// <c>default-cluster</c>, gossip every 50 ms, grace period 10,000 s.
    /// </summary>
    /// <param name="port">The port.</param>
    /// <returns>The configuration.</returns>
    public static ChitchatConfig ForTest(int port) =>
        new(ChitchatId.ForLocalTest(port))
        {
            GossipInterval = TimeSpan.FromMilliseconds(50),
            MarkedForDeletionGracePeriod = TimeSpan.FromSeconds(10_000),
        };

    /// <summary>Throws if the configuration cannot work.</summary>
    /// <exception cref="ArgumentException">A setting is invalid; the message says which and why.</exception>
    public void Validate()
    {
        if (ChitchatId is null)
        {
            throw new ArgumentException("ChitchatId is required.", nameof(ChitchatId));
        }

        if (string.IsNullOrWhiteSpace(ChitchatId.NodeId))
        {
            throw new ArgumentException("The node id must not be empty.", nameof(ChitchatId));
        }

        if (ClusterId is null)
        {
            throw new ArgumentException("ClusterId must not be null.", nameof(ClusterId));
        }

        Wire.WireFormat.GetStringByteCount(ClusterId);
        if (ProtocolVersion is not (ProtocolVersion.V0 or ProtocolVersion.V1))
        {
            throw new ArgumentOutOfRangeException(nameof(ProtocolVersion), ProtocolVersion, "The protocol version must be V0 or V1.");
        }

        if (GossipInterval <= TimeSpan.Zero)
        {
            throw new ArgumentOutOfRangeException(nameof(GossipInterval), GossipInterval, "The gossip interval must be positive.");
        }

        if (MarkedForDeletionGracePeriod < TimeSpan.Zero)
        {
            throw new ArgumentOutOfRangeException(nameof(MarkedForDeletionGracePeriod), MarkedForDeletionGracePeriod, "The grace period must not be negative.");
        }

        if (ListenAddr is null)
        {
            throw new ArgumentException("ListenAddr is required.", nameof(ListenAddr));
        }

        if (ChitchatId.GossipAdvertiseAddr.Port == 0)
        {
            throw new ArgumentException("The advertise address needs a port: peers reply to it.", nameof(ChitchatId));
        }

        if (SeedNodes is null)
        {
            throw new ArgumentException("SeedNodes must not be null.", nameof(SeedNodes));
        }

        if (SeedRefreshInterval <= TimeSpan.Zero || SeedRefreshInterval.TotalMilliseconds > uint.MaxValue - 1)
        {
            throw new ArgumentOutOfRangeException(nameof(SeedRefreshInterval), SeedRefreshInterval, "The seed refresh interval must be positive (and shorter than about 49 days).");
        }

        foreach (var seed in SeedNodes)
        {
            if (string.IsNullOrWhiteSpace(seed))
            {
                throw new ArgumentException("A seed must not be empty.", nameof(SeedNodes));
            }
        }

        if (MaxMembers < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(MaxMembers), MaxMembers, "MaxMembers must be at least 1.");
        }

        if (MaxNewMembersPerSource < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(MaxNewMembersPerSource), MaxNewMembersPerSource, "MaxNewMembersPerSource must be at least 1.");
        }

        if (MaxKeysPerNode < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(MaxKeysPerNode), MaxKeysPerNode, "MaxKeysPerNode must be at least 1.");
        }

        if (MaxStateBytesPerNode < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(MaxStateBytesPerNode), MaxStateBytesPerNode, "MaxStateBytesPerNode must be at least 1.");
        }

        if (MaxTotalStateBytes < MaxStateBytesPerNode)
        {
            throw new ArgumentOutOfRangeException(nameof(MaxTotalStateBytes), MaxTotalStateBytes, "MaxTotalStateBytes must be at least MaxStateBytesPerNode.");
        }

        if (FailureDetectorConfig is null)
        {
            throw new ArgumentException("FailureDetectorConfig is required.", nameof(FailureDetectorConfig));
        }

        FailureDetectorConfig.Validate();
    }
}
