using Chitchat.Changes;
using Chitchat.Transport;

namespace Chitchat.Extensions.Hosting;

/// <summary>What <see cref="ChitchatBuilder"/> records for the hosted service: the transport and the listeners.</summary>
internal sealed class ChitchatHostingOptions
{
    public Func<IServiceProvider, ITransport>? TransportFactory { get; set; }

    public List<(string Prefix, Action<IServiceProvider, ClusterChange> Callback)> Listeners { get; } = [];
}
