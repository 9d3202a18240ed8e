using System.Net;

namespace Chitchat.Cli.Node;

/// <summary>The settings of <c>chitchat node</c>, after parsing and defaulting.</summary>
internal sealed record NodeSettings(
    IPEndPoint ListenAddr,
    IPEndPoint PublicAddr,
    string NodeId,
    ulong Generation,
    string ClusterId,
    IReadOnlyList<string> Seeds,
    TimeSpan GossipInterval,
    ProtocolVersion ProtocolVersion,
    TimeSpan DeadNodeGracePeriod,
    TimeSpan SeedRefreshInterval,
    string? EncryptionKeyFile = null,
    Chitchat.Transport.EncryptionMode EncryptionMode = Chitchat.Transport.EncryptionMode.Require,
    bool UiAllowWrites = false,
    int MinLivePeers = 0);
