namespace Chitchat.Transport;

/// <summary>
/// Thrown by <see cref="ISocket.SendAsync"/> when an encoded message is larger than the transport can
/// carry in one datagram. Nothing was sent.
/// </summary>
/// <remarks>
/// The server builds deltas within the MTU, so this indicates a misconfigured MTU or a caller-built
/// message. Instances are immutable; safe to share between threads.
/// </remarks>
public sealed class MessageTooLargeException : InvalidOperationException
{
    /// <summary>Creates the exception.</summary>
    /// <param name="message">The description of the error.</param>
    /// <param name="messageLength">The encoded length of the message, in bytes.</param>
    /// <param name="maxLength">The largest length the transport accepts, in bytes.</param>
    public MessageTooLargeException(string message, int messageLength, int maxLength)
        : base(message)
    {
        MessageLength = messageLength;
        MaxLength = maxLength;
    }

    /// <summary>Gets the encoded length of the rejected message, in bytes.</summary>
    public int MessageLength { get; }

    /// <summary>Gets the largest encoded length the transport accepts, in bytes.</summary>
    public int MaxLength { get; }
}
