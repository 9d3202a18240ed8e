namespace Chitchat;

/// <summary>
/// The version of the chitchat wire protocol, carried in the third byte of every message. It selects how
/// the digest of a Syn or SynAck is encoded; deltas are the same in every version.
/// </summary>
/// <remarks>
/// <para>
/// <see cref="V0"/> is the only version chitchat 0.10 and 0.11 understand: a node of those versions drops
/// every other datagram. <see cref="V1"/> (chitchat 0.12 and later) compresses the digest, which cuts the
/// steady-state traffic of a large cluster several times. Every node decodes both versions and answers a
/// message in the version it came in; the configured version only decides how the node starts a handshake.
/// </para>
/// <para>
/// The values are ordered: a higher version is newer. The numeric value is the byte on the wire.
/// </para>
/// </remarks>
public enum ProtocolVersion : byte
{
    /// <summary>The original protocol: a plain digest with an entry count. Understood by every chitchat version.</summary>
    V0 = 0,

    /// <summary>The compressed digest of chitchat 0.12 and later (a block stream of entries, without a count).</summary>
    V1 = 1,
}
