namespace Chitchat.FailureDetection;

internal sealed partial class FailureDetector
{
    /// <summary>
    /// Records that <paramref name="id"/> announced its departure: it is no longer live, and it is dead from now
    /// (unless it already was), whatever its heartbeats say, so that it is forgotten after the grace period like
    /// any dead node. Idempotent; called instead of <see cref="UpdateNodeLiveness"/> for a leaving node.
    /// </summary>
    /// <param name="id">The remote node.</param>
    public void ReportLeft(ChitchatId id)
    {
        ArgumentNullException.ThrowIfNull(id);
        var window = Entry(id, tracking: false);
        if (window.Verdict != NodeLivenessState.Dead)
        {
            SetVerdict(window, NodeLivenessState.Dead);
            window.TimeOfDeath = TimeProvider.GetTimestamp();
        }

        window.Reset();
    }
}
