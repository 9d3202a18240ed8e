namespace Chitchat.Cli.Bench;

/// <summary>The measurements of <c>chitchat bench</c>, after chitchat's <c>tests/perf_test.rs</c> (TEST-CATALOG M).</summary>
internal enum BenchScenario
{
    /// <summary>Time until every node sees all nodes live.</summary>
    Convergence,

    /// <summary>Time until the survivors stop listing a crashed node as live (TM1–TM5).</summary>
    Detection,

    /// <summary>Bytes and messages per second per node once converged (TM6–TM9).</summary>
    Bandwidth,

    /// <summary>False death declarations on a lossy network (TM10, TM11).</summary>
    Stability,

    /// <summary>Processor time, allocations and GC activity once converged.</summary>
    Cpu,
}
