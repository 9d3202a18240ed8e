namespace Chitchat.Extensions.Hosting.Dashboard;

/// <summary>
/// Remembers which members the node has judged live, so that a member never judged live is shown as joining
/// rather than dead. Holds only current members (<see cref="KeepOnly"/>), so it stays as small as the cluster.
/// Thread-safe: the tracking loop and every live view update it.
/// </summary>
internal sealed class MemberHistory
{
    private readonly Lock _gate = new();
    private readonly HashSet<ChitchatId> _everLive = [];
    private readonly HashSet<ChitchatId> _left = [];

    // Members reported dead and not live since: a later MemberLeft for them is the end of the first half of the
    // dead-node grace period, not a departure they announced.
    private readonly HashSet<ChitchatId> _reportedDead = [];

    /// <summary>
    /// Starts following <paramref name="node"/>'s change stream in the background (until the node stops), from the
    /// members live now: members that become live later are remembered even while no page is open.
    /// </summary>
    public static MemberHistory Track(ChitchatRef node)
    {
        var history = new MemberHistory();
        var changes = node.WatchChangesAsync(capacity: 256);
        history.AddLive(node.GetClusterState().LiveNodes);
        _ = Task.Run(async () =>
        {
            await foreach (var change in changes.ConfigureAwait(false))
            {
                if (change.Kind == Changes.ClusterChangeKind.MemberLive)
                {
                    history.Observe(change.Node, live: true);
                }
                else if (change.Kind == Changes.ClusterChangeKind.MemberDead)
                {
                    history.MarkDead(change.Node);
                }
                else if (change.Kind == Changes.ClusterChangeKind.MemberLeft)
                {
                    history.MarkLeft(change.Node);
                }
                else if (change.Kind == Changes.ClusterChangeKind.Overflow)
                {
                    // Changes were lost: the members live now were live at least once.
                    history.AddLive(node.GetClusterState().LiveNodes);
                }
            }
        });
        return history;
    }

    /// <summary>Records the member's current liveness and returns whether it was ever live.</summary>
    public bool Observe(ChitchatId id, bool live)
    {
        lock (_gate)
        {
            if (live)
            {
                // Live again (or for the first time, after the detector's initial dead verdict): not dead any more.
                _everLive.Add(id);
                _reportedDead.Remove(id);
                return true;
            }

            return _everLive.Contains(id);
        }
    }

    /// <summary>Gets whether the member was reported as left (it announced its departure).</summary>
    public bool HasLeft(ChitchatId id)
    {
        lock (_gate)
        {
            return _left.Contains(id);
        }
    }

    /// <summary>Records that the member left, unless it had been reported dead before (then it stays dead).</summary>
    public void MarkLeft(ChitchatId id)
    {
        lock (_gate)
        {
            if (!_reportedDead.Contains(id))
            {
                _left.Add(id);
            }
        }
    }

    /// <summary>Records that the member was reported dead.</summary>
    public void MarkDead(ChitchatId id)
    {
        lock (_gate)
        {
            _reportedDead.Add(id);
        }
    }

    private void AddLive(IEnumerable<ChitchatId> members)
    {
        lock (_gate)
        {
            _everLive.UnionWith(members);
        }
    }

    /// <summary>Forgets the members that are no longer in <paramref name="members"/>.</summary>
    public void KeepOnly(IEnumerable<ChitchatId> members)
    {
        var current = members.ToHashSet();
        lock (_gate)
        {
            _everLive.IntersectWith(current);
            _left.IntersectWith(current);
            _reportedDead.IntersectWith(current);
        }
    }
}
