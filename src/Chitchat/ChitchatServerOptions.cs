using System.Diagnostics.Metrics;
using System.Net;
using Chitchat.Wire;
using Microsoft.Extensions.Logging;

namespace Chitchat;

/// <summary>
/// Optional dependencies of a chitchat server: the clock, the random source, logging and metrics. Passed to
/// <see cref="ChitchatServer.SpawnChitchatAsync"/>.
/// </summary>
/// <remarks>
/// Everything defaults to the production choice, so most applications never create one. Not thread-safe:
/// fill it in, then pass it; the server reads it once at start.
/// </remarks>
public sealed class ChitchatServerOptions
{
    /// <summary>
    /// Gets or sets the clock of the gossip timer, the DNS refresh, the failure detector and tombstone
    /// expiry. Tests pass a fake clock to control time.
    /// </summary>
    /// <value>The default value is <see langword="null"/>, meaning <see cref="TimeProvider.System"/>.</value>
    public TimeProvider? TimeProvider { get; set; }

    /// <summary>
    /// Gets or sets the random source of gossip target selection and of tie shuffling in deltas. The server
    /// uses it under the node's lock only, so a plain seeded <see cref="System.Random"/> is safe as long as it
    /// is not shared with another server or other code.
    /// </summary>
    /// <value>The default value is <see langword="null"/>, meaning <see cref="Random.Shared"/>.</value>
    public Random? Random { get; set; }

    /// <summary>Gets or sets where the server, the state machine and the failure detector log.</summary>
    /// <value>The default value is <see langword="null"/>, meaning no logging.</value>
    public ILoggerFactory? LoggerFactory { get; set; }

    /// <summary>
    /// Gets or sets the factory that creates the node's meter, named <c>Chitchat</c> (messages, bytes, drops, gossip
    /// rounds, members, phi; docs/METRICS.md lists every instrument). With dependency injection, pass the container's
    /// <see cref="IMeterFactory"/> (Chitchat.Extensions.Hosting does).
    /// </summary>
    /// <remarks>
    /// Without a factory the node creates its meter directly and disposes of it when it stops; a factory owns the
    /// meters it creates. Either way the node's observable instruments stop reporting when it stops, and every
    /// measurement carries the node's id (tag <c>chitchat.node.id</c>), so that several nodes of one process stay
    /// apart. Nothing is measured per peer.
    /// </remarks>
    /// <value>The default value is <see langword="null"/>, meaning a meter created by the node itself.</value>
    public IMeterFactory? MeterFactory { get; set; }

    /// <summary>
    /// Gets or sets the host name resolver used for seeds given as <c>host:port</c> (test seam). It returns
    /// every A and AAAA address of the host.
    /// </summary>
    /// <value>The default value is <see langword="null"/>, meaning <see cref="Dns.GetHostAddressesAsync(string, CancellationToken)"/>.</value>
    internal Func<string, CancellationToken, Task<IPAddress[]>>? DnsResolver { get; set; }

    /// <summary>
    /// Gets or sets what the server loop calls, under the node's lock, to process a received message and get
    /// the reply no longer than the given length (test seam, e.g. to inject a failure).
    /// </summary>
    /// <value>The default value is <see langword="null"/>, meaning <c>ChitchatInstance.ProcessMessage</c>.</value>
    internal Func<ChitchatInstance, Transport.ReceivedMessage, int, ChitchatMessage?>? MessageProcessor { get; set; }
}
