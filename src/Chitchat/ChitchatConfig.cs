using System.Globalization;
using System.Net;
using Chitchat.FailureDetection;
using Chitchat.State;

namespace Chitchat;

/// <summary>The options of a chitchat node: who it is, where it listens, whom it contacts and how it gossips.</summary>
/// <remarks>
/// <para>
/// A plain options class: every setting is a settable property with a documented default, endpoints are
/// strings (<c>"10.0.0.1:7280"</c>, <c>"[::1]:7280"</c>) and durations <see cref="TimeSpan"/>s, so it binds
/// from <c>IConfiguration</c> (<c>configuration.GetSection("Chitchat").Get&lt;ChitchatConfig&gt;()</c>) and
/// through <c>IOptions&lt;ChitchatConfig&gt;</c>. <see cref="Validate"/> (called by the server) reports every
/// invalid setting at once, with a message that says which and why.
/// </para>
/// <para>
/// Port 0: with <see cref="ListenAddress"/> on port 0 the transport picks a free port, and the advertised
/// address takes that port when <see cref="GossipAdvertiseAddress"/> is empty or on port 0.
/// </para>
/// <para>Not thread-safe: fill it in, then hand it to the server, which copies what it needs at start.</para>
/// </remarks>
public sealed class ChitchatConfig
{
    /// <summary>Creates options with the defaults; set at least <see cref="NodeId"/>.</summary>
    public ChitchatConfig()
    {
    }

    /// <summary>Creates options for the node <paramref name="chitchatId"/>, which listens on its advertise address.</summary>
    /// <param name="chitchatId">The node's identity.</param>
    public ChitchatConfig(ChitchatId chitchatId)
    {
        ArgumentNullException.ThrowIfNull(chitchatId);
        NodeId = chitchatId.NodeId;
        GenerationId = chitchatId.GenerationId;
        GossipAdvertiseAddress = chitchatId.GossipAdvertiseAddr.ToString();
        ListenAddress = GossipAdvertiseAddress;
    }

    /// <summary>Gets or sets the node id, unique in the cluster (a host name, a pod name…).</summary>
    /// <value>The default value is the empty string, which <see cref="Validate"/> rejects.</value>
    public string NodeId { get; set; } = string.Empty;

    /// <summary>
    /// Gets or sets the generation of the node: it must grow each time the process restarts (the start time
    /// in seconds is the usual choice), so that a restarted node is a new member.
    /// </summary>
    /// <value>The default value is 0.</value>
    public ulong GenerationId { get; set; }

    /// <summary>Gets or sets the address the transport binds; port 0 lets the transport choose a free port.</summary>
    /// <value>The default value is <c>"0.0.0.0:7280"</c>.</value>
    public string ListenAddress { get; set; } = "0.0.0.0:7280";

    /// <summary>
    /// Gets or sets the address peers use to reach this node (it differs from the listen address behind NAT
    /// or when listening on every interface). Empty: the listen address. Port 0: the bound port.
    /// </summary>
    /// <value>The default value is <see langword="null"/>, meaning the listen address, which then must not be 0.0.0.0 or [::].</value>
    public string? GossipAdvertiseAddress { get; set; }

    /// <summary>Gets or sets the cluster id; a Syn from another cluster is answered with BadCluster.</summary>
    /// <value>The default value is <c>"default-cluster"</c>. Must not be empty.</value>
    public string ClusterId { get; set; } = "default-cluster";

    /// <summary>Gets or sets the period of gossip rounds.</summary>
    /// <value>The default value is 1 second. Must be positive.</value>
    public TimeSpan GossipInterval { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>
    /// Gets or sets the seeds: IP socket addresses (<c>10.0.0.1:7280</c>, <c>[::1]:7280</c>) used as is, or
    /// <c>host:port</c> names resolved at start and every 60 seconds. Each needs a port.
    /// </summary>
    /// <value>The default value is an empty list.</value>
    public IList<string> SeedNodes { get; set; } = [];

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
    /// <value>The default value is a <see cref="FailureDetection.FailureDetectorConfig"/> with its defaults.</value>
    public FailureDetectorConfig FailureDetectorConfig { get; set; } = new();

    /// <summary>Gets or sets how long tombstones and TTL'd values live before garbage collection.</summary>
    /// <value>The default value is 2 hours. Must be positive.</value>
    public TimeSpan MarkedForDeletionGracePeriod { get; set; } = TimeSpan.FromHours(2);

    /// <summary>Gets or sets the key-values set on the node's own state before it starts gossiping.</summary>
    /// <value>The default value is an empty dictionary.</value>
    public IDictionary<string, string> InitialKeyValues { get; set; } = new Dictionary<string, string>(StringComparer.Ordinal);

    /// <summary>
    /// Gets or sets a callback invoked once for each received delta that reset a replica; meant to start an
    /// out-of-band state transfer that ends in <see cref="ChitchatRef.TryResetNodeState"/>.
    /// Called after the node's lock is released, on the thread that handled the message: keep it short (start the
    /// transfer, do not wait for it); it may call <see cref="ChitchatRef"/>.
    /// </summary>
    /// <value>The default value is <see langword="null"/>.</value>
    public Action? CatchupCallback { get; set; }

    /// <summary>
    /// Gets or sets an extra condition a live member must meet to appear in the live-members watch (it does
    /// not affect <see cref="ClusterStateSnapshot.LiveNodes"/>). Evaluated, under the node's lock, when a live
    /// member's state changes: keep it short and do not call back into the node.
    /// </summary>
    /// <value>The default value is <see langword="null"/>.</value>
    public Func<NodeStateSnapshot, bool>? ExtraLivenessPredicate { get; set; }

    /// <summary>Gets the node's identity as configured (the advertise port may still be 0).</summary>
    /// <exception cref="ArgumentException">An address is invalid (see <see cref="Validate"/>).</exception>
    internal ChitchatId ChitchatId => new(NodeId, GenerationId, AdvertiseEndPoint(ListenAddr));

    /// <summary>Gets the parsed listen address.</summary>
    internal IPEndPoint ListenAddr =>
        TryParseEndPoint(ListenAddress, out var endPoint)
            ? endPoint
            : throw new ArgumentException($"ListenAddress '{ListenAddress}' is not an IP endpoint (ip:port).", nameof(ListenAddress));

    /// <summary>Creates the options Rust tests use: id <c>node-{port}</c> on 127.0.0.1, gossip every 50 ms, grace period 10,000 s.</summary>
    internal static ChitchatConfig ForTest(int port) =>
        new(ChitchatId.ForLocalTest(port))
        {
            GossipInterval = TimeSpan.FromMilliseconds(50),
            MarkedForDeletionGracePeriod = TimeSpan.FromSeconds(10_000),
        };

    /// <summary>Returns the endpoint to advertise once the transport is bound to <paramref name="bound"/>.</summary>
    internal IPEndPoint AdvertiseEndPoint(IPEndPoint bound)
    {
        if (string.IsNullOrWhiteSpace(GossipAdvertiseAddress))
        {
            return bound;
        }

        if (!TryParseEndPoint(GossipAdvertiseAddress, out var advertise))
        {
            throw new ArgumentException($"GossipAdvertiseAddress '{GossipAdvertiseAddress}' is not an IP endpoint (ip:port).", nameof(GossipAdvertiseAddress));
        }

        return advertise.Port == 0 ? new IPEndPoint(advertise.Address, bound.Port) : advertise;
    }

    /// <summary>Throws if the options cannot work, listing every invalid setting.</summary>
    /// <exception cref="ArgumentException">At least one setting is invalid; the message names each one and why.</exception>
    public void Validate()
    {
        var errors = new List<string>();
        if (string.IsNullOrWhiteSpace(NodeId))
        {
            errors.Add("NodeId must not be empty: it identifies the node in the cluster.");
        }
        else if (System.Text.Encoding.UTF8.GetByteCount(NodeId) > ushort.MaxValue)
        {
            errors.Add($"NodeId must take at most {ushort.MaxValue} UTF-8 bytes.");
        }

        if (string.IsNullOrWhiteSpace(ClusterId))
        {
            errors.Add("ClusterId must not be empty: nodes only gossip with nodes of the same cluster id.");
        }
        else if (System.Text.Encoding.UTF8.GetByteCount(ClusterId) > ushort.MaxValue)
        {
            errors.Add($"ClusterId must take at most {ushort.MaxValue} UTF-8 bytes.");
        }

        if (ProtocolVersion is not (ProtocolVersion.V0 or ProtocolVersion.V1))
        {
            errors.Add($"ProtocolVersion must be V0 or V1 (it is {(int)ProtocolVersion}).");
        }

        IPEndPoint? listen = null;
        if (!TryParseEndPoint(ListenAddress, out listen))
        {
            errors.Add($"ListenAddress '{ListenAddress}' is not an IP endpoint: write ip:port, e.g. 0.0.0.0:7280 or [::]:7280 (port 0 picks a free port).");
        }

        if (string.IsNullOrWhiteSpace(GossipAdvertiseAddress))
        {
            if (listen is not null && IsUnspecified(listen.Address))
            {
                errors.Add($"GossipAdvertiseAddress is required when ListenAddress is {ListenAddress}: peers cannot reply to {listen.Address}; set the address they can reach.");
            }
        }
        else if (!TryParseEndPoint(GossipAdvertiseAddress, out var advertise))
        {
            errors.Add($"GossipAdvertiseAddress '{GossipAdvertiseAddress}' is not an IP endpoint: write ip:port, e.g. 10.0.0.1:7280 (port 0 advertises the bound port).");
        }
        else if (IsUnspecified(advertise.Address))
        {
            errors.Add($"GossipAdvertiseAddress must not be {advertise.Address}: peers reply to this address; set one they can reach.");
        }

        if (GossipInterval <= TimeSpan.Zero)
        {
            errors.Add($"GossipInterval must be positive (it is {GossipInterval}; the default is 1 second).");
        }

        if (MarkedForDeletionGracePeriod <= TimeSpan.Zero)
        {
            errors.Add($"MarkedForDeletionGracePeriod must be positive (it is {MarkedForDeletionGracePeriod}; the default is 2 hours): deletions must live long enough to reach every peer.");
        }

        if (SeedNodes is null)
        {
            errors.Add("SeedNodes must not be null (use an empty list for none).");
        }
        else
        {
            foreach (var seed in SeedNodes)
            {
                if (!IsValidSeed(seed, out var reason))
                {
                    errors.Add($"Seed '{seed}' is invalid: {reason}");
                }
            }
        }

        if (InitialKeyValues is null)
        {
            errors.Add("InitialKeyValues must not be null (use an empty dictionary for none).");
        }

        if (MaxMembers < 1)
        {
            errors.Add($"MaxMembers must be at least 1 (it is {MaxMembers}).");
        }

        if (MaxNewMembersPerSource < 1)
        {
            errors.Add($"MaxNewMembersPerSource must be at least 1 (it is {MaxNewMembersPerSource}).");
        }

        if (MaxKeysPerNode < 1)
        {
            errors.Add($"MaxKeysPerNode must be at least 1 (it is {MaxKeysPerNode}).");
        }

        if (MaxStateBytesPerNode < 1)
        {
            errors.Add($"MaxStateBytesPerNode must be at least 1 (it is {MaxStateBytesPerNode}).");
        }

        if (MaxTotalStateBytes < MaxStateBytesPerNode)
        {
            errors.Add($"MaxTotalStateBytes must be at least MaxStateBytesPerNode (it is {MaxTotalStateBytes}, below {MaxStateBytesPerNode}).");
        }

        if (FailureDetectorConfig is null)
        {
            errors.Add("FailureDetectorConfig must not be null.");
        }
        else
        {
            if (FailureDetectorConfig.DeadNodeGracePeriod <= TimeSpan.Zero)
            {
                errors.Add($"FailureDetectorConfig.DeadNodeGracePeriod must be positive (it is {FailureDetectorConfig.DeadNodeGracePeriod}; the default is 24 hours).");
            }
            else
            {
                try
                {
                    FailureDetectorConfig.Validate();
                }
                catch (ArgumentException ex)
                {
                    errors.Add("FailureDetectorConfig: " + ex.Message);
                }
            }
        }

        if (errors.Count > 0)
        {
            throw new ArgumentException("Invalid chitchat options:" + Environment.NewLine + "- " + string.Join(Environment.NewLine + "- ", errors));
        }
    }

    internal static bool TryParseEndPoint(string? text, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out IPEndPoint? endPoint)
    {
        endPoint = null;
        if (string.IsNullOrWhiteSpace(text))
        {
            return false;
        }

        // IPEndPoint.TryParse accepts a bare address (port 0); an endpoint here always spells its port.
        var portSeparator = text.LastIndexOf(':');
        var hasPort = portSeparator > 0
            && (text[0] != '[' || text[portSeparator - 1] == ']')
            && (text[0] == '[' || text.IndexOf(':') == portSeparator);
        return hasPort && IPEndPoint.TryParse(text, out endPoint);
    }

    private static bool IsUnspecified(IPAddress address) =>
        address.Equals(IPAddress.Any) || address.Equals(IPAddress.IPv6Any);

    private static bool IsValidSeed(string? seed, out string reason)
    {
        if (string.IsNullOrWhiteSpace(seed))
        {
            reason = "a seed must not be empty.";
            return false;
        }

        if (TryParseEndPoint(seed, out _))
        {
            reason = string.Empty;
            return true;
        }

        var portSeparator = seed.LastIndexOf(':');
        if (portSeparator <= 0 || portSeparator == seed.Length - 1)
        {
            reason = "write ip:port or host:port (a seed needs a port).";
            return false;
        }

        if (!ushort.TryParse(seed.AsSpan(portSeparator + 1), NumberStyles.None, CultureInfo.InvariantCulture, out var port) || port == 0)
        {
            reason = "the port must be a number from 1 to 65535.";
            return false;
        }

        var host = seed[..portSeparator];
        if (Uri.CheckHostName(host) is UriHostNameType.Unknown or UriHostNameType.Basic)
        {
            reason = $"'{host}' is neither an IP address nor a host name.";
            return false;
        }

        reason = string.Empty;
        return true;
    }
}
