using System.Collections.Immutable;

namespace Chitchat.State;

// Immutable snapshots: cached per state, entries shared until an entry changes.
internal sealed partial class NodeState
{
    /// <summary>
    /// Returns an immutable copy of this state. The copy is cached: it is rebuilt only when the state
    /// changed, and its entries are shared with later copies until an entry changes.
    /// </summary>
    internal NodeStateSnapshot ToSnapshot()
    {
        var snapshot = _snapshot;
        if (snapshot is not null
            && _entriesSnapshotValid
            && snapshot.Heartbeat == Heartbeat
            && snapshot.MaxVersion == MaxVersion
            && snapshot.LastGcVersion == LastGcVersion)
        {
            return snapshot;
        }

        if (!_entriesSnapshotValid)
        {
            _entriesSnapshot = ImmutableArray.CreateRange(KeyValueMap);
            _entriesSnapshotValid = true;
        }

        snapshot = new NodeStateSnapshot(ChitchatId, Heartbeat, MaxVersion, LastGcVersion, _entriesSnapshot, NumKeyValues);
        _snapshot = snapshot;
        return snapshot;
    }
}
