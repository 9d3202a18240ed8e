namespace Chitchat;

/// <summary>A change of a visible key, delivered to the listeners subscribed to a matching prefix.</summary>
/// <remarks>
/// Port of chitchat <c>KeyChangeEvent</c>. Raised when a key of any node, including
/// the local one, gets a new value: never for deletions, tombstone garbage collection or node removal.
/// Listeners of the same prefix receive the same instance. Immutable and safe to share between threads.
/// </remarks>
/// <param name="Key">The key with the subscription prefix stripped (the full key for the empty prefix).</param>
/// <param name="Value">The new value.</param>
/// <param name="Node">The node that owns the key.</param>
public sealed record KeyChangeEvent(string Key, string Value, ChitchatId Node);
