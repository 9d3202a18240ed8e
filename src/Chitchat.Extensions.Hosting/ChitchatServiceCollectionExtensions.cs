using Chitchat;
using Chitchat.Extensions.Hosting;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

// Extension methods for IServiceCollection live in its namespace, the Microsoft.Extensions convention.
#pragma warning disable IDE0130 // Namespace does not match folder structure
namespace Microsoft.Extensions.DependencyInjection;
#pragma warning restore IDE0130

/// <summary>Registers a chitchat node that runs with the generic host.</summary>
public static class ChitchatServiceCollectionExtensions
{
    /// <summary>
    /// Registers a chitchat node whose options (<see cref="ChitchatConfig"/>) are bound from
    /// <paramref name="configuration"/>, typically <c>configuration.GetSection("Chitchat")</c>.
    /// </summary>
    /// <remarks>
    /// <para>
    /// The node starts when the host starts and stops when the host stops (see
    /// <see cref="AddChitchat(IServiceCollection, Action{ChitchatConfig})"/> for what is registered). Endpoints are
    /// strings (<c>"ListenAddress": "0.0.0.0:7280"</c>, <c>"SeedNodes": ["seed-1:7280"]</c>) and durations
    /// <see cref="TimeSpan"/> strings (<c>"GossipInterval": "00:00:00.500"</c>).
    /// </para>
    /// </remarks>
    /// <param name="services">The service collection.</param>
    /// <param name="configuration">The configuration section holding the node's options.</param>
    /// <returns>A builder to choose the transport, add initial key-values and listeners.</returns>
    public static ChitchatBuilder AddChitchat(this IServiceCollection services, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(configuration);
        services.AddOptions<ChitchatConfig>().Bind(configuration);
        return AddChitchatCore(services);
    }

    /// <summary>Registers a chitchat node whose options are set by <paramref name="configure"/>.</summary>
    /// <remarks>
    /// <para>
    /// Registers a hosted service that spawns the node when the host starts and, when the host stops, leaves the
    /// cluster gracefully (<see cref="ChitchatHandle.LeaveAsync"/>: the departure is announced and gossiped for two
    /// gossip intervals, then the node stops; it is aborted if the host's shutdown timeout runs out first), and the
    /// running node as
    /// <see cref="ChitchatHandle"/> and <see cref="ChitchatRef"/> singletons, which resolve once the host has
    /// started. The options are validated when the host starts, with <see cref="ChitchatConfig.Validate"/>'s
    /// rules: bad values stop the start-up with an <see cref="OptionsValidationException"/> naming each of them.
    /// </para>
    /// <para>
    /// A <see cref="ChitchatConfig.GenerationId"/> left at 0 is set to the start time in Unix seconds (from the
    /// host's <see cref="TimeProvider"/>), which grows at every restart of the process, as peers require.
    /// The default transport is UDP; <see cref="ChitchatBuilder.UseTransport(Func{IServiceProvider, Chitchat.Transport.ITransport})"/>
    /// changes it. Calling <c>AddChitchat</c> again adds configuration to the same single node.
    /// </para>
    /// <para>
    /// Metrics: when the container has an <see cref="System.Diagnostics.Metrics.IMeterFactory"/> (registered by
    /// <c>AddMetrics()</c>, which <c>Host.CreateApplicationBuilder</c> and <c>WebApplication.CreateBuilder</c> call), the
    /// node's <c>Chitchat</c> meter is created through it; export it with OpenTelemetry's <c>AddMeter("Chitchat")</c>, and
    /// the join, reset and leave activities with <c>AddSource("Chitchat")</c>.
    /// </para>
    /// </remarks>
    /// <param name="services">The service collection.</param>
    /// <param name="configure">Sets the node's options.</param>
    /// <returns>A builder to choose the transport, add initial key-values and listeners.</returns>
    public static ChitchatBuilder AddChitchat(this IServiceCollection services, Action<ChitchatConfig> configure)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(configure);
        services.AddOptions<ChitchatConfig>().Configure(configure);
        return AddChitchatCore(services);
    }

    private static ChitchatBuilder AddChitchatCore(IServiceCollection services)
    {
        var builder = new ChitchatBuilder(services);
        if (services.Any(descriptor => descriptor.ServiceType == typeof(ChitchatHostedService)))
        {
            return builder;
        }

        services.AddOptions<ChitchatConfig>()
            .PostConfigure<IServiceProvider>((config, provider) =>
            {
                if (config.GenerationId == 0)
                {
                    var clock = provider.GetService<TimeProvider>() ?? TimeProvider.System;
                    config.GenerationId = (ulong)clock.GetUtcNow().ToUnixTimeSeconds();
                }
            })
            .ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<ChitchatConfig>, ChitchatConfigValidator>());
        services.AddOptions<ChitchatHostingOptions>();
        services.AddSingleton<ChitchatHostedService>();
        services.AddHostedService(provider => provider.GetRequiredService<ChitchatHostedService>());
        services.TryAddSingleton(provider => provider.GetRequiredService<ChitchatHostedService>().Handle);
        services.TryAddSingleton(provider => provider.GetRequiredService<ChitchatHandle>().Chitchat);
        return builder;
    }
}
