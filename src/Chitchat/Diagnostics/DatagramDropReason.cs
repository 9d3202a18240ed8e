namespace Chitchat.Diagnostics;

/// <summary>
/// Why a node refused a datagram, or part of one (the <c>chitchat.drop.reason</c> tag of
/// <c>chitchat.datagrams.dropped</c>). A datagram refused in part for several reasons counts once under each.
/// </summary>
internal enum DatagramDropReason
{
    /// <summary>Not a chitchat message (bad magic, version, type, truncated field, invalid UTF-8, ...).</summary>
    Undecodable,

    /// <summary>Its compressed blocks decompress beyond the per-datagram cap.</summary>
    DecompressionCap,

    /// <summary>A Syn addressed to another cluster (answered with BadCluster, its digest ignored).</summary>
    WrongCluster,

    /// <summary>A message of ours too large for the transport: it was not sent.</summary>
    TooLarge,

    /// <summary>New members of a digest ignored because the node knows <c>MaxMembers</c> members.</summary>
    MemberCap,

    /// <summary>New members of a digest ignored beyond <c>MaxNewMembersPerSource</c> for its source.</summary>
    NewMemberLimit,

    /// <summary>Node deltas refused because they would exceed the state budget (keys or bytes).</summary>
    StateBudget,

    /// <summary>
    /// Node deltas that do not apply to the replica: from a version above it, after a garbage collection it has not
    /// seen, moving its versions back, or with a max version below its own keys.
    /// </summary>
    InapplicableDelta,

    /// <summary>A peer's delta about this node itself, never applied (only this node writes its own state).</summary>
    SelfAuthority,

    /// <summary>Plaintext received while encryption is required.</summary>
    PlaintextRefused,

    /// <summary>Encrypted with a key that is not in the keyring.</summary>
    UnknownKey,

    /// <summary>Encrypted but not authentic: tampered, truncated, or sealed for another cluster id.</summary>
    AuthenticationFailed,

    /// <summary>A reply withheld because it would be larger than the request of a source that has not proven its address.</summary>
    AntiAmplification,

    /// <summary>A gossip request refused because the node's command queue is full.</summary>
    CommandQueueFull,

    /// <summary>Processing the message failed unexpectedly (logged); it was dropped.</summary>
    ProcessingFailed,
}

/// <summary>The tag values of <see cref="DatagramDropReason"/>.</summary>
internal static class DatagramDropReasons
{
    /// <summary>The number of reasons.</summary>
    public const int Count = (int)DatagramDropReason.ProcessingFailed + 1;

    /// <summary>Returns the reason's tag value (snake case, stable: dashboards depend on it).</summary>
    public static string TagValue(DatagramDropReason reason) => reason switch
    {
        DatagramDropReason.Undecodable => "undecodable",
        DatagramDropReason.DecompressionCap => "decompression_cap",
        DatagramDropReason.WrongCluster => "wrong_cluster",
        DatagramDropReason.TooLarge => "too_large",
        DatagramDropReason.MemberCap => "member_cap",
        DatagramDropReason.NewMemberLimit => "new_member_limit",
        DatagramDropReason.StateBudget => "state_budget",
        DatagramDropReason.InapplicableDelta => "inapplicable_delta",
        DatagramDropReason.SelfAuthority => "self_authority",
        DatagramDropReason.PlaintextRefused => "plaintext_refused",
        DatagramDropReason.UnknownKey => "unknown_key",
        DatagramDropReason.AuthenticationFailed => "authentication_failed",
        DatagramDropReason.AntiAmplification => "anti_amplification",
        DatagramDropReason.CommandQueueFull => "command_queue_full",
        DatagramDropReason.ProcessingFailed => "processing_failed",
        _ => "unknown",
    };

    /// <summary>The drop reason of a datagram the decoder rejected.</summary>
    public static DatagramDropReason FromDecodeError(Wire.DecodeErrorKind kind) =>
        kind == Wire.DecodeErrorKind.DecompressedTooLarge ? DatagramDropReason.DecompressionCap : DatagramDropReason.Undecodable;
}

/// <summary>
/// Drop counts by reason: written by whoever drops (the receive loop, the state machine under the node's lock),
/// read by metric collection at any time. Lock-free; allocation-free.
/// </summary>
internal sealed class DropCounters
{
    private readonly long[] _counts = new long[DatagramDropReasons.Count];

    /// <summary>Counts one drop.</summary>
    public void Increment(DatagramDropReason reason) => Interlocked.Increment(ref _counts[(int)reason]);

    /// <summary>Gets the drops counted for <paramref name="reason"/>.</summary>
    public long this[DatagramDropReason reason] => Volatile.Read(ref _counts[(int)reason]);
}
