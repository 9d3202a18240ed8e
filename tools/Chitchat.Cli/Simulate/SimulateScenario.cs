namespace Chitchat.Cli.Simulate;

/// <summary>What a <c>chitchat simulate</c> run does to the cluster once it has converged.</summary>
internal enum SimulateScenario
{
    /// <summary>Nothing: convergence, then the steady state until the end.</summary>
    Converge,

    /// <summary>One node crashes; the time until every other node sees it dead.</summary>
    Crash,

    /// <summary>The cluster splits in two halves until each sees the other dead, then heals and reconverges.</summary>
    Partition,

    /// <summary>Nodes crash and restart with a new generation, one every few gossip intervals, then the churn stops.</summary>
    Churn,
}
