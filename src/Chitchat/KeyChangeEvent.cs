namespace Chitchat;

/// <summary>A change of a visible key, delivered to the listeners subscribed to a matching prefix.</summary>
/// <param name="Key">The key with the subscription prefix stripped.</param>
/// <param name="Value">The new value.</param>
/// <param name="Node">The node that owns the key.</param>
public sealed record KeyChangeEvent(string Key, string Value, ChitchatId Node);
