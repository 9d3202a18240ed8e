namespace Chitchat.State;

/// <summary>How a node last classified one of the other members, for its member change events and logs.</summary>
internal enum MemberStatus : byte
{
    /// <summary>Not classified yet.</summary>
    Unclassified = 0,

    /// <summary>Live.</summary>
    Live,

    /// <summary>Dead.</summary>
    Dead,

    /// <summary>Left (announced, or scheduled for deletion).</summary>
    Left,
}
