namespace Chitchat.Cli.Bench;

/// <summary>The measurements of <c>chitchat bench</c>, after chitchat's <c>tests/perf_test.rs</c>.</summary>
internal enum BenchScenario
{
    /// <summary>Time until every node sees all nodes live.</summary>
    Convergence,

    /// <summary>Time until the survivors stop listing a crashed node as live.</summary>
    Detection,

    /// <summary>Bytes and messages per second per node once converged.</summary>
    Bandwidth,

    /// <summary>False death declarations on a lossy network.</summary>
    Stability,

    /// <summary>Processor time, allocations and GC activity once converged.</summary>
    Cpu,

    /// <summary>
    /// Clusters of growing size, each converged then observed: the largest cluster whose gossip rounds keep their
    /// schedule without false deaths, and what fails first beyond it.
    /// </summary>
    Scale,
}
