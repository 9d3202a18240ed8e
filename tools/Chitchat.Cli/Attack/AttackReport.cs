using System.Text.Json.Serialization;

namespace Chitchat.Cli.Attack;

/// <summary>What <c>chitchat attack</c> measured, printed as one JSON object (snake_case).</summary>
internal sealed record AttackReport
{
    public required string Kind { get; init; }

    public required string Target { get; init; }

    public required long DatagramsSent { get; init; }

    public required long BytesSent { get; init; }

    public required long RepliesReceived { get; init; }

    public required long ReplyBytes { get; init; }

    public required int LargestReplyBytes { get; init; }

    /// <summary>Reply bytes over sent bytes: above 1, the target amplifies.</summary>
    public required double AmplificationRatio { get; init; }

    public required double SendSeconds { get; init; }

    public int? TargetPid { get; init; }

    public long? RssBeforeBytes { get; init; }

    public long? RssPeakBytes { get; init; }

    public long? RssAfterBytes { get; init; }

    /// <summary>The peer that watched the target: an address given with --peer, or the attack's own peer node.</summary>
    public string? Peer { get; init; }

    public bool? TargetLiveToPeerBefore { get; init; }

    /// <summary>Whether the peer still saw the target live, with a heartbeat that kept growing, after the attack.</summary>
    public bool? TargetLiveToPeerAfter { get; init; }

    /// <summary>The number of members in the target's state after the attack (GET /).</summary>
    public int? TargetMembersAfter { get; init; }

    /// <summary>For forged-self: whether the forged key reached the target's own state.</summary>
    public bool? SelfStateForged { get; init; }
}

/// <summary>Source-generated JSON metadata of the attack report.</summary>
[JsonSourceGenerationOptions(
    PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower,
    DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(AttackReport))]
internal sealed partial class AttackJsonContext : JsonSerializerContext;
