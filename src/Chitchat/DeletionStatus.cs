namespace Chitchat;

/// <summary>The deletion status of a stored value; the numeric values are the wire codes.</summary>
internal enum DeletionStatus : byte
{
    /// <summary>An ordinary, visible value.</summary>
    Set = 0,

    /// <summary>A tombstone: the value is hidden and garbage-collected after the grace period.</summary>
    Deleted = 1,

    /// <summary>The value stays visible and is garbage-collected after the grace period.</summary>
    DeleteAfterTtl = 2,
}
