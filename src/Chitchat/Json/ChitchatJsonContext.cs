using System.Text.Json.Serialization;
using Chitchat.Changes;
using Chitchat.FailureDetection;
using Chitchat.State;

namespace Chitchat.Json;

/// <summary>
/// System.Text.Json metadata for the public models of the library, generated at compile time, so that they
/// serialize without reflection (trimmed and native AOT applications).
/// </summary>
/// <remarks>
/// <para>
/// The models also serialize with reflection-based <see cref="System.Text.Json.JsonSerializer"/> calls: each
/// carries its converter. Use this context, or add it to a resolver chain
/// (<c>options.TypeInfoResolverChain.Add(ChitchatJsonContext.Default)</c>), to return cluster state from an
/// ASP.NET Core endpoint in an AOT application.
/// </para>
/// <para>
/// Field names follow chitchat's (snake case): <c>{"chitchat_id": {"node_id", "generation_id",
/// "gossip_advertise_addr"}, "heartbeat", "key_values", "max_version", "last_gc_version"}</c> for a node
/// state. A <see cref="ChitchatId"/> used as a dictionary key is written as <c>node_id:generation_id:ip:port</c>.
/// </para>
/// <para>Thread-safe.</para>
/// </remarks>
[JsonSerializable(typeof(ChitchatId))]
[JsonSerializable(typeof(VersionedValue))]
[JsonSerializable(typeof(NodeStateSnapshot))]
[JsonSerializable(typeof(ClusterStateSnapshot))]
[JsonSerializable(typeof(ClusterChange))]
[JsonSerializable(typeof(NodeLiveness))]
[JsonSerializable(typeof(IReadOnlyList<ChitchatId>))]
[JsonSerializable(typeof(IReadOnlyDictionary<ChitchatId, NodeStateSnapshot>))]
[JsonSerializable(typeof(Dictionary<ChitchatId, NodeStateSnapshot>))]
public sealed partial class ChitchatJsonContext : JsonSerializerContext;
