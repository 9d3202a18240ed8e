using Chitchat.Changes;
using Chitchat.Transport;
using Microsoft.Extensions.DependencyInjection;

namespace Chitchat.Extensions.Hosting;

/// <summary>
/// Configures the chitchat node that <c>AddChitchat</c> registered: its transport, its initial key-values, its
/// options and the key-change listeners subscribed when it starts.
/// </summary>
/// <remarks>
/// Every method returns the same builder, so calls chain. The builder only records configuration in the service
/// collection; nothing runs until the host starts. Not thread-safe (use it while the services are being
/// configured, as any <see cref="IServiceCollection"/>).
/// </remarks>
public sealed class ChitchatBuilder
{
    internal ChitchatBuilder(IServiceCollection services) => Services = services;

    /// <summary>Gets the service collection the node is registered in.</summary>
    public IServiceCollection Services { get; }

    /// <summary>
    /// Uses the transport that <paramref name="factory"/> creates instead of the default one, a
    /// <see cref="UdpTransport"/> logging through the host's logger factory.
    /// </summary>
    /// <remarks>The factory runs once, when the host starts the node. The last call wins.</remarks>
    /// <param name="factory">Creates the transport from the host's services.</param>
    /// <returns>This builder.</returns>
    public ChitchatBuilder UseTransport(Func<IServiceProvider, ITransport> factory)
    {
        ArgumentNullException.ThrowIfNull(factory);
        Services.Configure<ChitchatHostingOptions>(options => options.TransportFactory = factory);
        return this;
    }

    /// <summary>Uses <paramref name="transport"/> instead of the default <see cref="UdpTransport"/>.</summary>
    /// <param name="transport">The transport (for example an in-memory one in tests).</param>
    /// <returns>This builder.</returns>
    public ChitchatBuilder UseTransport(ITransport transport)
    {
        ArgumentNullException.ThrowIfNull(transport);
        return UseTransport(_ => transport);
    }

    /// <summary>Changes the node's options after they were bound, for example to set values computed at start-up.</summary>
    /// <remarks>Runs before the options are validated, in registration order with the other configuration.</remarks>
    /// <param name="configure">Changes the options.</param>
    /// <returns>This builder.</returns>
    public ChitchatBuilder Configure(Action<ChitchatConfig> configure)
    {
        ArgumentNullException.ThrowIfNull(configure);
        Services.Configure(configure);
        return this;
    }

    /// <summary>
    /// Sets a key-value of the node's own state from the start, before its first gossip round (as
    /// <see cref="ChitchatConfig.InitialKeyValues"/>), for example the node's role or the address of its API.
    /// </summary>
    /// <param name="key">The key.</param>
    /// <param name="value">The value.</param>
    /// <returns>This builder.</returns>
    public ChitchatBuilder AddInitialKeyValue(string key, string value)
    {
        ArgumentException.ThrowIfNullOrEmpty(key);
        ArgumentNullException.ThrowIfNull(value);
        return Configure(options => options.InitialKeyValues[key] = value);
    }

    /// <summary>
    /// Subscribes <paramref name="callback"/>, when the node starts, to the changes of the keys starting with
    /// <paramref name="prefix"/> on any node, as <see cref="ChitchatRef.SubscribeKeyChanges"/> does; the
    /// subscription ends when the node stops.
    /// </summary>
    /// <remarks>
    /// The callback runs outside the node's lock, one change at a time, in order; it receives the host's services
    /// to reach the application's components. An exception it throws is logged by the node and does not stop it.
    /// </remarks>
    /// <param name="prefix">The key prefix; an empty prefix matches every key.</param>
    /// <param name="callback">Receives the host's services and the change.</param>
    /// <returns>This builder.</returns>
    public ChitchatBuilder AddKeyChangeListener(string prefix, Action<IServiceProvider, ClusterChange> callback)
    {
        ArgumentNullException.ThrowIfNull(prefix);
        ArgumentNullException.ThrowIfNull(callback);
        Services.Configure<ChitchatHostingOptions>(options => options.Listeners.Add((prefix, callback)));
        return this;
    }
}
