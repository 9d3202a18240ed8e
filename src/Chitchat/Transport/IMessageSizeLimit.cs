namespace Chitchat.Transport;

/// <summary>
/// A socket whose messages must stay below the 65,507 bytes of a UDP datagram, because it adds bytes of its
/// own (the encrypted transport's 36). The server lowers its datagram budgets to <see cref="MaxMessageLength"/>.
/// </summary>
internal interface IMessageSizeLimit
{
    /// <summary>Gets the largest serialized chitchat message the socket sends.</summary>
    int MaxMessageLength { get; }

    /// <summary>Gets the bytes the socket adds to each message it sends.</summary>
    int Overhead { get; }
}
