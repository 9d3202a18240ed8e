namespace Chitchat.FailureDetection;

/// <summary>The verdict of the failure detector about one remote node.</summary>
[System.Text.Json.Serialization.JsonConverter(typeof(System.Text.Json.Serialization.JsonStringEnumConverter<NodeLivenessState>))]
public enum NodeLivenessState
{
    /// <summary>
    /// The node is known (it has a sampling window) but no liveness update has judged it yet.
    /// </summary>
    Unknown = 0,

    /// <summary>The last liveness update found phi at or below the threshold.</summary>
    Live = 1,

    /// <summary>
    /// The last liveness update found the node not alive (phi above the threshold, or not enough
    /// heartbeats to compute phi), less than half the dead-node grace period ago.
    /// </summary>
    Dead = 2,

    /// <summary>
    /// Dead for more than half the dead-node grace period: the node is no longer advertised in digests
    /// and deltas, and will be garbage-collected when the full period has elapsed.
    /// </summary>
    ScheduledForDeletion = 3,
}
