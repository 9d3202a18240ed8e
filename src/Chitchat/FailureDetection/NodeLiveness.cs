namespace Chitchat.FailureDetection;

/// <summary>
/// Explains the failure detector's view of one remote node: its verdict and the figures behind it.
/// </summary>
/// <remarks>
/// <para>
/// Meant for operators investigating a flapping node. <see cref="State"/> is the verdict of the last
/// liveness update (run at the end of every gossip round), whereas <see cref="Phi"/> and the durations
/// are computed when the snapshot is taken; between two updates phi can therefore already be above
/// <see cref="PhiThreshold"/> while the state is still <see cref="NodeLivenessState.Live"/>.
/// </para>
/// <para>
/// Reading the figures: phi = <see cref="SinceLastHeartbeat"/> / <see cref="MeanInterval"/>. A dead node
/// with <see cref="SampleCount"/> 0 has no phi: it needs a heartbeat that arrives at most the maximum
/// interval after the previous one before it can be judged live again (the window is cleared at every
/// liveness update that finds the node dead).
/// </para>
/// <para>This is an immutable value, safe to share between threads.</para>
/// </remarks>
/// <param name="Id">The node.</param>
/// <param name="State">The verdict of the last liveness update.</param>
/// <param name="Phi">
/// The current phi, or <see langword="null"/> when no heartbeat interval is recorded (fewer than two
/// heartbeats since the window was created or last cleared).
/// </param>
/// <param name="PhiThreshold">The configured threshold: the node is judged live while phi is at most this value.</param>
/// <param name="SinceLastHeartbeat">The time since the last heartbeat, or <see langword="null"/> if none was ever reported.</param>
/// <param name="MeanInterval">
/// The smoothed mean heartbeat interval (phi's denominator), or <see langword="null"/> when no interval is recorded.
/// </param>
/// <param name="SampleCount">The number of heartbeat intervals currently recorded.</param>
/// <param name="SinceDeath">
/// The time since the node was declared dead, or <see langword="null"/> when it is not dead.
/// </param>
public readonly record struct NodeLiveness(
    ChitchatId Id,
    NodeLivenessState State,
    double? Phi,
    double PhiThreshold,
    TimeSpan? SinceLastHeartbeat,
    TimeSpan? MeanInterval,
    int SampleCount,
    TimeSpan? SinceDeath);
