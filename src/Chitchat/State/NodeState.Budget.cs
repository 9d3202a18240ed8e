using Chitchat.Wire;

namespace Chitchat.State;

// The state budget: what the entries cost, and the checks that keep a member's state (and all of them) within it.
internal sealed partial class NodeState
{
    /// <summary>Gets what the entries of this state cost against the state budget, in bytes.</summary>
    internal long StateBytes => _bytes;

    /// <summary>Stops counting this state against the budget (the member was forgotten).</summary>
    internal void Detach()
    {
        _budget?.Add(-_bytes);
        _budget = null;
    }

    private void CountBytes(long bytes)
    {
        _bytes += bytes;
        _budget?.Add(bytes);
    }

    /// <summary>Throws if setting <paramref name="key"/> to <paramref name="value"/> would exceed the per-member budget.</summary>
    private void EnsureWithinBudget(string key, string value)
    {
        if (_budget is not { } budget)
        {
            return;
        }

        var previous = KeyValueMap.GetValueOrDefault(key);
        var keys = NumEntriesWithout(previous) + 1;
        var bytes = _bytes + StateBudget.SizeOf(key, value) - (previous is null ? 0 : StateBudget.SizeOf(key, previous.Value));
        if (keys > budget.MaxKeysPerNode)
        {
            throw new InvalidOperationException(
                $"Setting '{key}' would give this node {keys} keys; the state budget allows {budget.MaxKeysPerNode} (ChitchatConfig.MaxKeysPerNode).");
        }

        if (bytes > budget.MaxBytesPerNode)
        {
            throw new InvalidOperationException(
                $"Setting '{key}' would make this node's state {bytes} bytes; the state budget allows {budget.MaxBytesPerNode} (ChitchatConfig.MaxStateBytesPerNode).");
        }
    }

    private int NumEntriesWithout(VersionedValue? previous) => KeyValueMap.Count - (previous is null ? 0 : 1);

    /// <summary>Returns whether applying the key-values of <paramref name="nodeDelta"/> above <paramref name="baseVersion"/> fits the budget.</summary>
    private bool FitsBudget(NodeDelta nodeDelta, ulong baseVersion, bool afterReset)
    {
        if (_budget is not { } budget)
        {
            return true;
        }

        long bytes = afterReset ? 0 : _bytes;
        long keys = afterReset ? 0 : KeyValueMap.Count;
        foreach (var mutation in nodeDelta.KeyValues)
        {
            if (mutation.Version <= baseVersion)
            {
                continue;
            }

            var previous = afterReset ? null : KeyValueMap.GetValueOrDefault(mutation.Key);
            if (previous is not null && previous.Version >= mutation.Version)
            {
                continue;
            }

            bytes += StateBudget.SizeOf(mutation.Key, mutation.Value) - (previous is null ? 0 : StateBudget.SizeOf(mutation.Key, previous.Value));
            keys += previous is null ? 1 : 0;
        }

        var growth = bytes - _bytes;
        return keys <= budget.MaxKeysPerNode
            && bytes <= budget.MaxBytesPerNode
            && (growth <= 0 || budget.TotalBytes + growth <= budget.MaxTotalBytes);
    }
}
