using System.Net;
using Chitchat.Wire;

namespace Chitchat.Transport;

/// <summary>A message received by an <see cref="ISocket"/> and the address it came from.</summary>
/// <param name="From">
/// The source address of the datagram: replies go there. IPv4 sources are plain IPv4, never IPv4-mapped
/// IPv6. Each received message carries its own instance.
/// </param>
/// <param name="Message">The decoded message.</param>
/// <remarks>An immutable value; safe to share between threads (do not mutate <paramref name="From"/>).</remarks>
public readonly record struct ReceivedMessage(IPEndPoint From, ChitchatMessage Message);
