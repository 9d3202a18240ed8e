namespace Chitchat.Cli.Attack;

/// <summary>The hostile traffic <c>chitchat attack</c> sends.</summary>
internal enum AttackKind
{
    /// <summary>Random bytes, a quarter of them behind a valid chitchat header.</summary>
    Garbage,

    /// <summary>Syns whose digest (about 64 KB) lists random members that do not exist.</summary>
    FakeMembers,

    /// <summary>Acks of about 2 KB whose zstd blocks decode to 60 keys of 60,000 bytes, for a new fake member each.</summary>
    ZstdBomb,

    /// <summary>Acks whose delta writes a key into the target's own node state, with versions above the target's.</summary>
    ForgedSelf,

    /// <summary>Syns with an empty digest (15 bytes for cluster id "testing"): the reply/request byte ratio.</summary>
    EmptySyn,

    /// <summary>SynAcks with an empty digest and delta (7 bytes) that nobody asked for: the reply/request byte ratio.</summary>
    UnsolicitedSynAck,
}
