using Chitchat.Transport;

namespace Chitchat.Testing;

/// <summary>
/// Decorators that make a transport lossy or slow, for tests and simulations. Port of chitchat's
/// <c>transport::TransportExt</c>.
/// </summary>
/// <remarks>
/// The decorators wrap each socket the inner transport opens; receives, the local address and disposal
/// pass through. Decorated transports and their sockets are as thread-safe as <see cref="ITransport"/>
/// and <see cref="ISocket"/> require.
/// </remarks>
public static class TransportExtensions
{
    /// <summary>
    /// Drops each sent message with probability <paramref name="probability"/>: the send reports success and
    /// nothing is sent. Port of chitchat's <c>drop_message</c>.
    /// </summary>
    /// <param name="transport">The transport to decorate.</param>
    /// <param name="probability">The drop probability, from 0 (drop nothing) to 1 (drop everything).</param>
    /// <param name="seed">
    /// Seeds the per-socket generators, so a run that opens its sockets in the same order drops the same
    /// messages; unpredictable when <see langword="null"/>.
    /// </param>
    /// <returns>The decorated transport.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="probability"/> is not within [0, 1].</exception>
    public static ITransport DropMessages(this ITransport transport, double probability, int? seed = null)
    {
        ArgumentNullException.ThrowIfNull(transport);
        if (double.IsNaN(probability) || probability is < 0.0 or > 1.0)
        {
            throw new ArgumentOutOfRangeException(nameof(probability), probability, "The drop probability must be within [0, 1].");
        }

        return new MessageDropTransport(transport, probability, new SocketRandomSource(seed));
    }

    /// <summary>
    /// Delays each sent message by a sampled duration: the send returns at once and the message is sent by a
    /// background task when the delay has elapsed. Port of chitchat's <c>delay</c>.
    /// </summary>
    /// <remarks>
    /// <para>
    /// Unlike the Rust decorator, a pending receive does not hold up delayed sends. Errors of a delayed
    /// send are ignored, as in Rust, because nobody is left to observe them. A negative sample counts as zero.
    /// </para>
    /// <para>
    /// Memory stays bounded: a socket keeps at most 1,024 delayed messages in flight and drops further sends
    /// until some complete. Disposing the socket drops the messages still waiting.
    /// </para>
    /// </remarks>
    /// <param name="transport">The transport to decorate.</param>
    /// <param name="delaySampler">
    /// Samples the delay of one message from the socket's generator. Called under the socket's lock, so it
    /// may use the generator freely.
    /// </param>
    /// <param name="timeProvider">The clock the delays run on; <see cref="TimeProvider.System"/> when <see langword="null"/>.</param>
    /// <param name="seed">Seeds the per-socket generators; unpredictable when <see langword="null"/>.</param>
    /// <returns>The decorated transport.</returns>
    public static ITransport Delay(
        this ITransport transport,
        Func<Random, TimeSpan> delaySampler,
        TimeProvider? timeProvider = null,
        int? seed = null)
    {
        ArgumentNullException.ThrowIfNull(transport);
        ArgumentNullException.ThrowIfNull(delaySampler);
        return new DelayTransport(transport, delaySampler, timeProvider ?? TimeProvider.System, new SocketRandomSource(seed));
    }

    /// <summary>
    /// Drops every message sent across a link blocked in <paramref name="partitions"/>: the send reports success
    /// and nothing is sent, as in a network split. Block and heal links while the nodes run.
    /// </summary>
    /// <param name="transport">The transport to decorate.</param>
    /// <param name="partitions">The blocked links, shared by every node of the test.</param>
    /// <returns>The decorated transport.</returns>
    public static ITransport Partition(this ITransport transport, NetworkPartitions partitions)
    {
        ArgumentNullException.ThrowIfNull(transport);
        ArgumentNullException.ThrowIfNull(partitions);
        return new PartitionTransport(transport, partitions);
    }
}
