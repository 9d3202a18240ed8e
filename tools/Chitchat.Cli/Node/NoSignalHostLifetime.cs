using Microsoft.Extensions.Hosting;

namespace Chitchat.Cli.Node;

/// <summary>
/// A host lifetime that leaves Ctrl+C and SIGTERM alone: the command handles them itself, so that it can stop
/// the chitchat node and the web server in order and exit with code 0.
/// </summary>
internal sealed class NoSignalHostLifetime : IHostLifetime
{
    public Task WaitForStartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
