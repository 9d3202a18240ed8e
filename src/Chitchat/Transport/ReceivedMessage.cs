using System.Net;
using Chitchat.Wire;

namespace Chitchat.Transport;

/// <summary>A message received by an <see cref="ISocket"/>, the address it came from and its size on the wire.</summary>
/// <param name="From">
/// The source address of the datagram: replies go there. IPv4 sources are plain IPv4, never IPv4-mapped
/// IPv6. Each received message carries its own instance.
/// </param>
/// <param name="Message">The decoded message; its <see cref="ChitchatMessage.Version"/> is the version it arrived in.</param>
/// <param name="ByteCount">
/// The number of bytes received: the datagram's length, trailing bytes included (a decoder ignores bytes after a
/// complete message).
/// </param>
/// <remarks>An immutable value; safe to share between threads (do not mutate <paramref name="From"/>).</remarks>
public readonly record struct ReceivedMessage(IPEndPoint From, ChitchatMessage Message, int ByteCount);
