using System.Net;

namespace Chitchat.Cli.Attack;

/// <summary>The settings of <c>chitchat attack</c>.</summary>
internal sealed record AttackOptions(
    IPEndPoint Target,
    AttackKind Kind,
    long Count,
    TimeSpan Duration,
    double Rate,
    int? TargetPid,
    IPEndPoint? Peer,
    bool StartPeer,
    string? ClusterId,
    TimeSpan Settle,
    int Seed,
    int BombKeys = AttackPayloads.DefaultBombKeyCount);
