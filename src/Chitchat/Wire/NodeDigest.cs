namespace Chitchat.Wire;

/// <summary>What a node advertises about one member in a digest.</summary>
/// <param name="Heartbeat">The last heartbeat known for the member.</param>
/// <param name="LastGcVersion">The highest tombstone version garbage-collected for the member.</param>
/// <param name="MaxVersion">The highest version known for the member.</param>
internal readonly record struct NodeDigest(ulong Heartbeat, ulong LastGcVersion, ulong MaxVersion)
{
    /// <summary>Encoded size: three u64.</summary>
    internal const int SerializedLength = 24;
}
