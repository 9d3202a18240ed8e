using System.Net;
using BenchmarkDotNet.Attributes;
using Chitchat.Wire;

namespace Chitchat.Benchmarks;

/// <summary>
/// Wire codec hot paths: a Syn carrying a 100-node digest, and SynAcks that fill a 65,507-byte datagram with
/// small compressible key-values or with random (barely compressible) values. For each SynAck: building the
/// MTU-bounded delta (op encoding + zstd), encoding the finished message into a preallocated buffer, decoding.
/// </summary>
[MemoryDiagnoser]
public class WireCodecBenchmarks
{
    private const int MaxDatagram = 65_507;
    private const int NodeCount = 100;

    private readonly byte[] _buffer = new byte[MaxDatagram + 16];
    private Digest _digest = null!;
    private ChitchatMessage.Syn _syn = null!;
    private byte[] _synBytes = null!;
    private Workload _compressible = null!;
    private Workload _random = null!;

    [GlobalSetup]
    public void Setup()
    {
        _digest = CreateDigest();
        _syn = new ChitchatMessage.Syn("default-cluster", _digest);
        _synBytes = _syn.SerializeToArray();
        _compressible = new Workload(_digest, CompressiblePlan());
        _random = new Workload(_digest, RandomPlan());
    }

    [Benchmark]
    public int Syn100Nodes_Encode() => _syn.Serialize(_buffer);

    [Benchmark]
    public bool Syn100Nodes_Decode() => ChitchatMessage.TryDeserialize(_synBytes, out _, out _);

    [Benchmark]
    public object SynAckCompressible_BuildDelta() => _compressible.BuildDelta();

    [Benchmark]
    public int SynAckCompressible_Encode() => _compressible.Message.Serialize(_buffer);

    [Benchmark]
    public bool SynAckCompressible_Decode() => ChitchatMessage.TryDeserialize(_compressible.Bytes, out _, out _);

    [Benchmark]
    public object SynAckRandom_BuildDelta() => _random.BuildDelta();

    [Benchmark]
    public int SynAckRandom_Encode() => _random.Message.Serialize(_buffer);

    [Benchmark]
    public bool SynAckRandom_Decode() => ChitchatMessage.TryDeserialize(_random.Bytes, out _, out _);

    /// <summary>Prints the sizes the MB/s figures of docs/PERFORMANCE.md are computed from.</summary>
    /// <param name="writer">The destination.</param>
    public static void PrintSizes(TextWriter writer)
    {
        var benchmarks = new WireCodecBenchmarks();
        benchmarks.Setup();
        writer.WriteLine($"Syn (100-node digest): {benchmarks._synBytes.Length} bytes");
        foreach (var (name, workload) in new[] { ("compressible", benchmarks._compressible), ("random", benchmarks._random) })
        {
            var delta = workload.Message.Delta;
            writer.WriteLine(
                $"SynAck {name}: {workload.Bytes.Length} bytes (digest {benchmarks._digest.SerializedLength}, delta {delta.SerializedLength}); " +
                $"{delta.NodeDeltas.Count} node deltas, {delta.NodeDeltas.Sum(n => n.KeyValues.Count)} key-values, " +
                $"{workload.OpStreamLength} bytes of uncompressed ops");
        }
    }

    private static Digest CreateDigest()
    {
        var digest = new Digest(NodeCount);
        for (var i = 0; i < NodeCount; i++)
        {
            digest.Add(NodeId(i), heartbeat: 10_000UL + (ulong)i, lastGcVersion: 0, maxVersion: 1_000);
        }

        return digest;
    }

    private static ChitchatId NodeId(int i) =>
        new($"node-{i:D3}", 1_700_000_000UL + (ulong)i, new IPEndPoint(new IPAddress([10, 0, (byte)(i / 256), (byte)i]), 7280));

    // Quickwit-like small key-values: structured keys and values around a random 64-bit split id.
    private static List<(ChitchatId Id, KeyValueMutation[] KeyValues)> CompressiblePlan()
    {
        var random = new Random(7);
        return Enumerable.Range(0, NodeCount)
            .Select(i => (NodeId(i), Enumerable.Range(1, 400)
                .Select(v => new KeyValueMutation(
                    $"indexer.pipeline.{v:D4}",
                    $"split-{random.NextInt64():x16}:ready:node-{i:D3}",
                    (ulong)v,
                    DeletionStatus.Set))
                .ToArray()))
            .ToList();
    }

    // 64 random printable ASCII characters per value: zstd only shaves the entropy coding (~82% of the input).
    private static List<(ChitchatId Id, KeyValueMutation[] KeyValues)> RandomPlan()
    {
        var random = new Random(42);
        const string Printable = "!\"#$%&'()*+,-./0123456789:;<=>?@ABCDEFGHIJKLMNOPQRSTUVWXYZ[\\]^_`abcdefghijklmnopqrstuvwxyz{|}~";
        return Enumerable.Range(0, NodeCount)
            .Select(i => (NodeId(i), Enumerable.Range(1, 100)
                .Select(v => new KeyValueMutation($"k{v:D3}", new string(random.GetItems(Printable.AsSpan(), 64)), (ulong)v, DeletionStatus.Set))
                .ToArray()))
            .ToList();
    }

    private sealed class Workload
    {
        private readonly Digest _digest;
        private readonly List<(ChitchatId Id, KeyValueMutation[] KeyValues)> _plan;

        public Workload(Digest digest, List<(ChitchatId Id, KeyValueMutation[] KeyValues)> plan)
        {
            _digest = digest;
            _plan = plan;
            Message = new ChitchatMessage.SynAck(digest, BuildDelta());
            Bytes = Message.SerializeToArray();

            // The budget must be what stops the builder. The datagram ends below 65,507 bytes by up to the
            // compression gain on the last (pending, counted uncompressed) block: docs/PROTOCOL.md
            var offered = plan.Sum(p => p.KeyValues.Length);
            if (Message.Delta.NodeDeltas.Sum(n => n.KeyValues.Count) >= offered || Bytes.Length > MaxDatagram + 3)
            {
                throw new InvalidOperationException($"The delta should be truncated by the budget; {Bytes.Length} bytes.");
            }

            OpStreamLength = BlockStream.TryDecode(Bytes.AsSpan(4 + digest.SerializedLength), out var ops, out _, out _) ? ops.Length : -1;
        }

        public ChitchatMessage.SynAck Message { get; }

        public byte[] Bytes { get; }

        public int OpStreamLength { get; }

        /// <summary>Builds the delta under the SynAck budget, stopping at the first rejected op.</summary>
        public Delta BuildDelta()
        {
            using var builder = new DeltaBuilder(MaxDatagram - 1 - _digest.SerializedLength);
            foreach (var (id, keyValues) in _plan)
            {
                if (!builder.TryAddNode(id, 0, 0))
                {
                    return builder.Finish();
                }

                foreach (var keyValue in keyValues)
                {
                    if (!builder.TryAddKeyValue(keyValue))
                    {
                        return builder.Finish();
                    }
                }
            }

            return builder.Finish();
        }
    }
}
