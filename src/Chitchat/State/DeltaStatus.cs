namespace Chitchat.State;

/// <summary>The verdict on a received node delta.</summary>
internal enum DeltaStatus
{
    /// <summary>Newer than what we have, compatible with our GC frontier.</summary>
    Apply,

    /// <summary>The sender garbage-collected tombstones we never saw: wipe the replica, then apply.</summary>
    ApplyAfterReset,

    /// <summary>Starts above our max version (we were reset since, or packets were reordered).</summary>
    RejectFromTheFuture,

    /// <summary>Incompatible GC frontier and not a from-scratch delta.</summary>
    RejectInapplicable,

    /// <summary>Nothing newer than what we have.</summary>
    RejectStale,

    /// <summary>A SetMaxVersion below the last key-value version (Rust would crash; we reject).</summary>
    RejectMaxVersionBelowKeyValues,

    /// <summary>Applying it would take the replica, or every state together, beyond the state budget.</summary>
    RejectOverBudget,
}

internal static class DeltaStatusExtensions
{
    public static bool IsReject(this DeltaStatus status) =>
        status is not (DeltaStatus.Apply or DeltaStatus.ApplyAfterReset);
}
