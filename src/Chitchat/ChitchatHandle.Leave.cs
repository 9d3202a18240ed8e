namespace Chitchat;

public sealed partial class ChitchatHandle
{
    /// <summary>The gossip rounds a leaving node keeps running so that its announcement reaches its peers.</summary>
    internal const int LeaveRounds = 2;

    /// <summary>
    /// Leaves the cluster gracefully: announces the departure in the node's own state, keeps gossiping for two
    /// gossip intervals so that the announcement spreads, then stops the node as <see cref="ShutdownAsync"/> does.
    /// </summary>
    /// <remarks>
    /// <para>
    /// .NET peers that receive the announcement stop considering the node live at once and report it as
    /// <see cref="Changes.ClusterChangeKind.MemberLeft"/> (not as dead), instead of waiting for the failure
    /// detector, which needs several gossip intervals of silence. The announcement is an ordinary key of the
    /// node's state on the wire (the reserved key <c>__chitchat_leaving</c>), so peers running the Rust crate
    /// replicate it and detect the departure with the failure detector, as for a node that stopped.
    /// </para>
    /// <para>
    /// A node that left should restart with a higher generation, as after any stop. Calling it on a node that is
    /// already stopping or stopped just waits for the outcome, as <see cref="ShutdownAsync"/>. A node whose own
    /// state is at its key or byte budget cannot add the announcement and just shuts down; a peer whose replica
    /// of it is at the budget refuses the announcement and detects the departure with the failure detector.
    /// </para>
    /// </remarks>
    /// <param name="cancellationToken">
    /// Stops waiting: if it is cancelled before the node stopped, the shutdown is still initiated and
    /// <see cref="OperationCanceledException"/> is thrown (call <see cref="Abort"/> to stop at once).
    /// </param>
    /// <returns>A task with the outcome of the loop, as <see cref="Termination"/>.</returns>
    /// <exception cref="IOException">The socket had broken and ended the loop.</exception>
    /// <exception cref="InvalidOperationException">The loop had been aborted or had crashed.</exception>
    public async Task LeaveAsync(CancellationToken cancellationToken = default)
    {
        // Traced from the announcement to the end of the loop (or to the caller giving up).
        using var activity = Chitchat.Instance.Metrics.StartActivity("chitchat.leave");
        try
        {
            await LeaveCoreAsync(activity, cancellationToken).ConfigureAwait(false);
            activity?.SetStatus(System.Diagnostics.ActivityStatusCode.Ok);
        }
        catch (Exception ex)
        {
            activity?.SetStatus(System.Diagnostics.ActivityStatusCode.Error, ex.Message);
            throw;
        }
    }

    private async Task LeaveCoreAsync(System.Diagnostics.Activity? activity, CancellationToken cancellationToken)
    {
        var announced = !Termination.IsCompleted && TryAnnounceLeave();
        activity?.SetTag("chitchat.leave.announced", announced);
        if (announced)
        {
            var instance = Chitchat.Instance;
            var gossipInterval = instance.Config.GossipInterval;

            try
            {
                // Until the loop ends on its own (a broken socket) or the announcement had its rounds.
                await Task.WhenAny(
                    Task.Delay(gossipInterval * LeaveRounds, instance.TimeProvider, cancellationToken),
                    Termination).ConfigureAwait(false);
                cancellationToken.ThrowIfCancellationRequested();
            }
            catch (OperationCanceledException)
            {
                _loop.InitiateShutdown();
                throw;
            }
        }

        await ShutdownAsync(cancellationToken).ConfigureAwait(false);
    }

    private bool TryAnnounceLeave()
    {
        try
        {
            Chitchat.Set(ChitchatInstance.LeavingKey, "true");
            return true;
        }
        catch (InvalidOperationException)
        {
            // The own state is at its key or byte budget: leave without the announcement (peers use phi).
            return false;
        }
    }
}
