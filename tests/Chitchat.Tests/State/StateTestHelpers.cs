using Chitchat.Changes;
using Chitchat.State;
using Chitchat.Wire;

namespace Chitchat.Tests.State;

/// <summary>Builders shared by the state tests.</summary>
internal static class StateTestHelpers
{
    public static NodeState NewNodeState(int port, TimeProvider? timeProvider = null) =>
        new(ChitchatId.ForLocalTest(port), new ChangeLog(), timeProvider ?? TimeProvider.System);

    public static ClusterState NewClusterState(TimeProvider? timeProvider = null, int seed = 9) =>
        new(new ChangeLog(), timeProvider ?? TimeProvider.System, new Random(seed));

    public static NodeState WithVersions(this NodeState state, params ulong[] versions)
    {
        foreach (var version in versions)
        {
            state.SetVersionedValue($"k{version}", new VersionedValue(string.Empty, version, DeletionStatus.Set));
        }

        return state;
    }

    public static KeyValueMutation Kv(string key, string value, ulong version, DeletionStatus status = DeletionStatus.Set) =>
        new(key, value, version, status);

    public static NodeDelta NodeDelta(int port, ulong lastGcVersion, ulong fromVersionExcluded, ulong maxVersion, params KeyValueMutation[] keyValues) =>
        new(ChitchatId.ForLocalTest(port), lastGcVersion, fromVersionExcluded, maxVersion, keyValues);

    public static NodeDelta NodeDeltaFromKvs(int port, ulong lastGcVersion, ulong fromVersionExcluded, params KeyValueMutation[] keyValues) =>
        NodeDelta(port, lastGcVersion, fromVersionExcluded, keyValues.Length == 0 ? 0 : keyValues.Max(kv => kv.Version), keyValues);

    public static Digest Digest(params (int Port, ulong Heartbeat, ulong LastGcVersion, ulong MaxVersion)[] entries)
    {
        var digest = new Digest();
        foreach (var (port, heartbeat, lastGc, max) in entries)
        {
            digest.Add(ChitchatId.ForLocalTest(port), heartbeat, lastGc, max);
        }

        return digest;
    }

    /// <summary>A compact, comparable rendering of a delta: "port(gc,from):key=value@v/status,...".</summary>
    public static string[] Describe(Delta delta) =>
        delta.NodeDeltas
            .Select(nd => $"{nd.ChitchatId.GossipAdvertiseAddr.Port}(gc {nd.LastGcVersion}, from {nd.FromVersionExcluded}): "
                + string.Join(", ", nd.KeyValues.Select(kv => $"{kv.Key}={kv.Value}@{kv.Version}/{kv.Status}")))
            .ToArray();
}
