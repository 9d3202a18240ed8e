namespace Chitchat.Cli.Json;

/// <summary>A node identity as chitchat serializes it: <c>{"node_id", "generation_id", "gossip_advertise_addr"}</c>.</summary>
internal sealed record ChitchatIdJson(string NodeId, ulong GenerationId, string GossipAdvertiseAddr);

/// <summary>
/// The answer of <c>GET /set_kv/</c> and <c>GET /mark_for_deletion/</c>: <c>{"status": true}</c>. (<c>GET /</c> is
/// written by <see cref="StateDocument"/>.)
/// </summary>
internal sealed record SetKeyValueResponseJson(bool Status);
