namespace Chitchat.Testing;

/// <summary>
/// Traffic counters of an <see cref="InMemoryTransport"/>. Port of chitchat's <c>transport::Statistics</c>.
/// </summary>
/// <param name="NumBytesTotal">The total encoded size of every message sent, dropped ones included.</param>
/// <param name="NumMessagesTotal">The number of messages sent, dropped ones included.</param>
/// <remarks>An immutable snapshot; safe to share between threads.</remarks>
public readonly record struct TransportStatistics(ulong NumBytesTotal, ulong NumMessagesTotal);
