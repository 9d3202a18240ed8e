namespace Chitchat.Cli.Bench;

/// <summary>The transport the benchmark cluster gossips over.</summary>
internal enum BenchTransportKind
{
    /// <summary>
    /// An <see cref="Chitchat.Testing.InMemoryTransport"/> with a 65,507-byte MTU, like chitchat's perf tests:
    /// the addresses 127.0.0.1:10000+i are only names, nothing is bound.
    /// </summary>
    Memory,

    /// <summary>Real UDP sockets on 127.0.0.1, on free ports chosen by the system.</summary>
    Udp,
}
