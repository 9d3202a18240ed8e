namespace Chitchat.Cli.Dashboard;

/// <summary>
/// Remembers which members the dashboard has seen live, so that a member never judged live is shown as joining
/// rather than dead. Holds only current members (<see cref="KeepOnly"/>), so it stays as small as the cluster.
/// Thread-safe: every live view updates it.
/// </summary>
internal sealed class MemberHistory
{
    private readonly Lock _gate = new();
    private readonly HashSet<ChitchatId> _everLive = [];

    /// <summary>Records the member's current liveness and returns whether it was ever live.</summary>
    public bool Observe(ChitchatId id, bool live)
    {
        lock (_gate)
        {
            if (live)
            {
                _everLive.Add(id);
                return true;
            }

            return _everLive.Contains(id);
        }
    }

    /// <summary>Forgets the members that are no longer in <paramref name="members"/>.</summary>
    public void KeepOnly(IEnumerable<ChitchatId> members)
    {
        var current = members.ToHashSet();
        lock (_gate)
        {
            _everLive.IntersectWith(current);
        }
    }
}
