using System.Runtime.InteropServices;

namespace Chitchat.Cli.Common;

/// <summary>
/// Turns Ctrl+C (SIGINT) and SIGTERM into a cancellation, so that the command can stop its nodes
/// gracefully and choose its own exit code instead of being killed by the runtime.
/// </summary>
internal sealed class ShutdownSignal : IDisposable
{
    private readonly CancellationTokenSource _cts = new();
    private readonly PosixSignalRegistration[] _registrations;
    private volatile string? _signalName;

    public ShutdownSignal()
    {
        _registrations =
        [
            PosixSignalRegistration.Create(PosixSignal.SIGINT, OnSignal),
            PosixSignalRegistration.Create(PosixSignal.SIGTERM, OnSignal),
        ];
    }

    /// <summary>Gets the token cancelled by the first SIGINT or SIGTERM.</summary>
    public CancellationToken Token => _cts.Token;

    /// <summary>Gets the name of the signal received ("SIGINT", "SIGTERM"), or null.</summary>
    public string? SignalName => _signalName;

    public void Dispose()
    {
        foreach (var registration in _registrations)
        {
            registration.Dispose();
        }

        _cts.Dispose();
    }

    private void OnSignal(PosixSignalContext context)
    {
        if (_signalName is not null)
        {
            // A second signal while shutting down: let the runtime terminate the process at once.
            context.Cancel = false;
            return;
        }

        // Keep the process alive: the command shuts down on its own once the token is cancelled.
        context.Cancel = true;
        _signalName = context.Signal == PosixSignal.SIGINT ? "SIGINT" : "SIGTERM";
        try
        {
            _cts.Cancel();
        }
        catch (ObjectDisposedException)
        {
            // The command is already exiting.
        }
    }
}
