using System.Globalization;

namespace Chitchat.Cli.Bench;

/// <summary>The readable summary of a bench run (without <c>--json</c>).</summary>
internal static class BenchSummary
{
    public static IEnumerable<string> Lines(BenchResult r)
    {
        var drop = r.Drop > 0 ? $", {Number(r.Drop * 100)} % of messages dropped" : string.Empty;
        yield return $"chitchat bench {r.Scenario}: {r.Nodes} nodes over {r.Transport}, gossip every {Number(r.IntervalMs)} ms, protocol V{r.ProtocolVersion}{drop}";
        yield return r.ConvergenceMs is { } convergence
            ? $"  convergence      {Ms(convergence)} until every node saw all {r.Nodes} live (spawning took {Ms(r.SpawnMs ?? 0)})"
            : $"  convergence      NOT reached: {r.ConvergedNodes} of {r.Nodes} nodes saw all live within {Number(r.TimeoutS)} s";

        if (r.CrashedNode is { } crashed)
        {
            yield return $"  detection        {crashed} crashed; node_1 stopped listing it live after {Ms(r.DetectionFirstMs)}";
            yield return r.DetectionAllMs is { } all
                ? $"                   every survivor after {Ms(all)}"
                : $"                   only {r.DetectedBy} of {r.Nodes - 1} survivors within {Number(r.TimeoutS)} s";
        }

        if (r.BytesPerSecPerNode is { } bytes)
        {
            yield return $"  bandwidth        {Number(bytes)} bytes/s and {Number(r.MessagesPerSecPerNode ?? 0)} messages/s per node over {Number(r.WindowS ?? 0)} s ({Number(r.BytesPerMessage ?? 0)} bytes per message)";
        }

        if (r.FalseDeaths is { } falseDeaths)
        {
            yield return $"  stability        {falseDeaths} false death declarations ({r.FalseDeathSubjects} distinct nodes) in {Number(r.DurationS ?? 0)} s";
        }

        if (r.CpuCores is { } cores)
        {
            yield return $"  cpu              {Number(cores)} cores busy; {Number(r.CpuMsPerNodeSec ?? 0)} ms of processor time per node-second";
            yield return $"  allocations      {Number(r.AllocBytesPerNodeSec ?? 0)} bytes per node-second; GCs gen0 {r.GcCount?.Gen0}, gen1 {r.GcCount?.Gen1}, gen2 {r.GcCount?.Gen2} in {Number(r.DurationS ?? 0)} s";
            yield return $"  gc pauses        {Ms(r.GcPauseMs)} in {Number(r.DurationS ?? 0)} s";
            yield return $"  memory           heap {Mib(r.HeapBytes ?? 0)} after the last GC, {Mib(r.LiveHeapBytes ?? 0)} live after a full GC; working set {Mib(r.WorkingSetBytes ?? 0)}";
            yield return $"  scheduling       100 ms timer late by {Number(r.TimerLagMeanMs ?? 0)} ms on average, {Number(r.TimerLagMaxMs ?? 0)} ms at most; {r.ThreadPoolThreads} pool threads";
        }

        if (r.KernelDrops is { } kernelDrops)
        {
            yield return $"  kernel drops     {Number(kernelDrops)} datagrams dropped by the operating system (full receive buffers)";
        }

        if (r.InboxDrops is { } inboxDrops)
        {
            yield return $"  inbox drops      {Number(inboxDrops)} messages dropped by full inboxes (nodes that did not keep up)";
        }

        yield return $"  result           {(r.Reached ? "goal reached" : "goal NOT reached")} in {Ms(r.ElapsedMs)} ({r.ProcessorCount} processors, .NET {r.Runtime}{(r.ServerGc ? ", server GC" : string.Empty)})";
    }

    /// <summary>The table of a scale sweep, one line per cluster size, and where real time stops keeping up.</summary>
    public static IEnumerable<string> Lines(BenchScaleSummary s)
    {
        yield return $"chitchat bench scale: up to {s.MaxNodes} nodes over {s.Transport} in steps of {s.Step}, gossip every {Number(s.IntervalMs)} ms, protocol V{s.ProtocolVersion}, each cluster observed for {Number(s.DurationS)} s once converged";
        yield return $"  {"nodes",6}  {"converged",11}  {"rounds/s",8}  {"on schedule",11}  {"false deaths",12}  {"timer lag max",13}  {"cores",5}  {"gc pause",8}  {"drops",7}  verdict";
        foreach (var r in s.Steps)
        {
            var converged = r.ConvergenceMs is { } ms ? Ms(ms) : "no";
            var onSchedule = r.RoundsOnSchedule is { } ratio ? (ratio * 100).ToString("0", CultureInfo.InvariantCulture) + " %" : "-";
            yield return $"  {r.Nodes,6}  {converged,11}  {Optional(r.RoundsPerSecPerNode),8}  {onSchedule,11}  {Optional(r.FalseDeaths),12}  {(r.TimerLagMaxMs is { } lag ? Number(lag) + " ms" : "-"),13}  {Optional(r.CpuCores),5}  {(r.GcPauseMs is { } pause ? Ms(pause) : "-"),8}  {Optional(r.DropsInWindow),7}  {r.Verdict}";
        }

        yield return s.FirstFailureNodes is not { } failed
            ? $"  result  real time keeps up with every size measured, up to {s.KeepsUpTo} nodes"
            : s.KeepsUpTo is { } upTo
                ? $"  result  real time keeps up to {upTo} nodes; at {failed} it does not: {s.FirstFailure}"
                : $"  result  real time does not keep up even with {failed} nodes: {s.FirstFailure}";
        yield return $"          ({Environment.ProcessorCount} processors, .NET {Environment.Version})";
    }

    private static string Optional(double? value) => value is { } v ? Number(v) : "-";

    private static string Number(double value) => value.ToString("#,0.###", CultureInfo.InvariantCulture);

    private static string Ms(long? value) => value is { } ms ? ms.ToString("#,0", CultureInfo.InvariantCulture) + " ms" : "-";

    private static string Mib(long bytes) => (bytes / (1024.0 * 1024.0)).ToString("0.0", CultureInfo.InvariantCulture) + " MiB";
}
