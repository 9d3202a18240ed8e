using System.Runtime.InteropServices;

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
        _liveNodes.Remove(id);
        ref var timeOfDeath = ref CollectionsMarshal.GetValueRefOrAddDefault(_deadNodes, id, out var wasDead);
        if (!wasDead)
        {
            timeOfDeath = TimeProvider.GetTimestamp();
        }

        if (_windows.TryGetValue(id, out var window))
        {
            window.Reset();
        }
    }
}
