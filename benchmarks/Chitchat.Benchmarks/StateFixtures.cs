using System.Diagnostics;
using System.Net;
using Chitchat.Changes;
using Chitchat.State;
using Chitchat.Wire;

namespace Chitchat.Benchmarks;

/// <summary>
/// Builds the cluster states the state-machine benchmarks run on: <c>nodes</c> members named
/// <c>node-0000</c>… (IPv4, port 7280), each with <c>keys</c> Quickwit-like key-values set in a shuffled key
/// order (so that version order differs from key order, as it does after real updates).
/// </summary>
internal static class StateFixtures
{
    public const string ClusterId = "default-cluster";

    /// <summary>Parses a benchmark shape such as <c>100x10</c> (nodes × keys per node).</summary>
    public static (int Nodes, int Keys) ParseShape(string shape)
    {
        var parts = shape.Split('x');
        return (int.Parse(parts[0], System.Globalization.CultureInfo.InvariantCulture), int.Parse(parts[1], System.Globalization.CultureInfo.InvariantCulture));
    }

    /// <summary>A fresh id object each call, as a decoder would produce.</summary>
    public static ChitchatId NodeId(int i) =>
        new($"node-{i:D4}", 1_700_000_000UL + (ulong)i, new IPEndPoint(new IPAddress([10, 0, (byte)(i / 256), (byte)i]), 7280));

    /// <summary>The key-values of node <paramref name="node"/>, in the (shuffled) order they are set.</summary>
    public static List<KeyValuePair<string, string>> KeyValues(int node, int keys)
    {
        var random = new Random(node);
        var result = new List<KeyValuePair<string, string>>(keys);
        for (var k = 0; k < keys; k++)
        {
            result.Add(new($"indexer.pipeline.{k:D5}", $"split-{random.NextInt64():x16}:ready:node-{node:D4}"));
        }

        random.Shuffle(System.Runtime.InteropServices.CollectionsMarshal.AsSpan(result));
        return result;
    }

    /// <summary>A cluster state holding <paramref name="nodes"/> node states of <paramref name="keys"/> keys.</summary>
    public static ClusterState ClusterState(int nodes, int keys, TimeProvider? timeProvider = null)
    {
        var clusterState = new ClusterState(new ChangeLog(), timeProvider ?? TimeProvider.System, new Random(42));
        for (var i = 0; i < nodes; i++)
        {
            var state = clusterState.NodeStateOrCreate(NodeId(i));
            Populate(state, i, keys);
        }

        return clusterState;
    }

    /// <summary>
    /// A chitchat instance whose own id is node <paramref name="self"/> and which knows every one of the
    /// <paramref name="nodes"/> nodes with all their keys (the same versions on every instance built here).
    /// </summary>
    public static ChitchatInstance Instance(int self, int nodes, int keys, TimeProvider? timeProvider = null)
    {
        var config = new ChitchatConfig(NodeId(self)) { ClusterId = ClusterId };
        var instance = new ChitchatInstance(config, KeyValues(self, keys), timeProvider, new Random(42));
        for (var i = 0; i < nodes; i++)
        {
            if (i == self)
            {
                continue;
            }

            instance.ReportHeartbeat(NodeId(i), 1);
            Populate(instance.NodeState(NodeId(i))!, i, keys);
        }

        return instance;
    }

    /// <summary>A digest that lists every node of <paramref name="clusterState"/> with max version <c>max - lag</c>.</summary>
    public static Digest PeerDigest(ClusterState clusterState, ulong lag)
    {
        var digest = new Digest(clusterState.NodeStates.Count);
        foreach (var (id, state) in clusterState.NodeStates)
        {
            // New id objects: a peer's digest is decoded, so its ids are never the local instances.
            var copy = new ChitchatId(id.NodeId, id.GenerationId, id.GossipAdvertiseAddr);
            digest.Add(copy, state.Heartbeat, state.LastGcVersion, state.MaxVersion - lag);
        }

        return digest;
    }

    private static void Populate(NodeState state, int node, int keys)
    {
        foreach (var (key, value) in KeyValues(node, keys))
        {
            state.Set(key, value);
        }
    }
}

/// <summary>A clock that only moves when told to.</summary>
internal sealed class ManualTimeProvider : TimeProvider
{
    private long _timestamp = 1_000 * Stopwatch.Frequency;

    public override long TimestampFrequency => Stopwatch.Frequency;

    public override long GetTimestamp() => _timestamp;

    public void Advance(TimeSpan duration) => _timestamp += (long)(duration.TotalSeconds * Stopwatch.Frequency);
}
