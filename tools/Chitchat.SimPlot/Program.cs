using System.Globalization;
using ScottPlot;

namespace Chitchat.SimPlot;

/// <summary>
/// Draws the figures of docs/SIMULATION.md from the JSON lines of <c>chitchat simulate --json</c> runs
/// (scripts/simulation-figures.sh makes them): convergence rounds against N and log4(N), detection time against
/// loss, bandwidth against N for protocols V0 and V1, false deaths against loss and jitter. Points are means over
/// the seeds of a setting.
/// </summary>
internal static class Program
{
    private const int Width = 800;
    private const int Height = 480;

    public static int Main(string[] args)
    {
        if (args.Length != 2)
        {
            Console.Error.WriteLine("usage: Chitchat.SimPlot <results.jsonl> <output directory>");
            return 2;
        }

        var runs = File.ReadLines(args[0])
            .Where(static line => line.StartsWith('{'))
            .Select(SimulationRun.Parse)
            .ToList();
        Directory.CreateDirectory(args[1]);
        var written = new List<string>();
        Save(Convergence(runs), args[1], "simulation-convergence.png", written);
        Save(Detection(runs), args[1], "simulation-detection.png", written);
        Save(Bandwidth(runs), args[1], "simulation-bandwidth.png", written);
        Save(FalseDeaths(runs), args[1], "simulation-false-deaths.png", written);
        foreach (var path in written)
        {
            Console.WriteLine(path);
        }

        return 0;
    }

    private static void Save(Plot? plot, string directory, string name, List<string> written)
    {
        if (plot is null)
        {
            Console.Error.WriteLine($"{name}: no runs for this figure");
            return;
        }

        var path = Path.Combine(directory, name);
        plot.SavePng(path, Width, Height);
        written.Add(path);
    }

    /// <summary>Rounds to convergence against N (log scale), V0 and V1, next to log4(N) and twice it.</summary>
    private static Plot? Convergence(List<SimulationRun> runs)
    {
        var converged = runs
            .Where(static run => run.Scenario == "converge" && run.Loss == 0 && run.JitterMs == 0 && run.ConvergenceRounds is not null)
            .ToList();
        if (converged.Count == 0)
        {
            return null;
        }

        var plot = new Plot();
        foreach (var version in converged.Select(static run => run.ProtocolVersion).Distinct().Order())
        {
            var points = converged
                .Where(run => run.ProtocolVersion == version)
                .GroupBy(static run => run.Nodes)
                .OrderBy(static group => group.Key)
                .Select(static group => (Nodes: group.Key, Rounds: group.Average(static run => run.ConvergenceRounds!.Value)))
                .ToList();
            AddLine(
                plot,
                points.Select(static point => Math.Log10(point.Nodes)).ToArray(),
                points.Select(static point => point.Rounds).ToArray(),
                string.Create(CultureInfo.InvariantCulture, $"measured, V{version} (mean over seeds)"));
        }

        var sizes = converged.Select(static run => run.Nodes).Distinct().Order().ToArray();
        var xs = sizes.Select(static nodes => Math.Log10(nodes)).ToArray();
        var log4 = plot.Add.Scatter(xs, sizes.Select(static nodes => Math.Log(nodes, 4)).ToArray());
        log4.LegendText = "log4(N)";
        log4.LinePattern = LinePattern.Dashed;
        log4.MarkerSize = 0;
        var bound = plot.Add.Scatter(xs, sizes.Select(static nodes => 2 * Math.Log(nodes, 4)).ToArray());
        bound.LegendText = "2 log4(N)";
        bound.LinePattern = LinePattern.Dotted;
        bound.MarkerSize = 0;
        LogX(plot);
        plot.Title("Convergence: gossip rounds until every node sees every node live");
        plot.XLabel("nodes (log scale)");
        plot.YLabel("gossip rounds");
        plot.Axes.SetLimitsY(0, Math.Max(converged.Max(static run => run.ConvergenceRounds!.Value), 2 * Math.Log(sizes[^1], 4)) * 1.1);
        plot.ShowLegend(Alignment.UpperLeft);
        return plot;
    }

    /// <summary>Time until every node sees a crashed node dead, against loss, one line per cluster size.</summary>
    private static Plot? Detection(List<SimulationRun> runs)
    {
        var series = runs
            .Where(static run => run.Scenario == "crash" && run.JitterMs == 0 && run.DetectionMs is not null)
            .GroupBy(static run => run.Nodes)
            .OrderBy(static group => group.Key)
            .ToList();
        if (series.Count == 0)
        {
            return null;
        }

        var plot = new Plot();
        foreach (var group in series)
        {
            var points = group.GroupBy(static run => run.Loss).OrderBy(static g => g.Key).ToList();
            AddLine(
                plot,
                points.Select(static g => g.Key * 100).ToArray(),
                points.Select(static g => g.Average(static run => run.DetectionMs!.Value) / 1000).ToArray(),
                string.Create(CultureInfo.InvariantCulture, $"{group.Key} nodes"));
        }

        plot.Title("Crash detection: time until every other node sees the crashed node dead");
        plot.XLabel("datagram loss (%)");
        plot.YLabel("virtual seconds");
        plot.Axes.SetLimitsY(0, series.Max(static group => group.Max(static run => run.DetectionMs!.Value)) / 1000 * 1.15);
        plot.ShowLegend(Alignment.UpperLeft);
        return plot;
    }

    /// <summary>Steady-state bytes sent per node per second against N, protocol V0 and V1.</summary>
    private static Plot? Bandwidth(List<SimulationRun> runs)
    {
        var series = runs
            .Where(static run => run.Scenario == "converge" && run.Loss == 0 && run.JitterMs == 0 && run.BytesPerSecPerNode is not null)
            .GroupBy(static run => run.ProtocolVersion)
            .OrderBy(static group => group.Key)
            .ToList();
        if (series.Count == 0)
        {
            return null;
        }

        var plot = new Plot();
        foreach (var group in series)
        {
            var points = group.GroupBy(static run => run.Nodes).OrderBy(static g => g.Key).ToList();
            AddLine(
                plot,
                points.Select(static g => Math.Log10(g.Key)).ToArray(),
                points.Select(static g => g.Average(static run => run.BytesPerSecPerNode!.Value) / 1024).ToArray(),
                string.Create(CultureInfo.InvariantCulture, $"protocol V{group.Key}"));
        }

        LogX(plot);
        plot.Title("Bandwidth in the steady state: bytes sent per node per second");
        plot.XLabel("nodes (log scale)");
        plot.YLabel("KiB/s per node");
        plot.Axes.SetLimitsY(0, series.Max(static group => group.Max(static run => run.BytesPerSecPerNode!.Value)) / 1024 * 1.15);
        plot.ShowLegend(Alignment.UpperLeft);
        return plot;
    }

    /// <summary>False deaths against loss, one line per jitter, at the cluster size with the most loss and jitter settings.</summary>
    private static Plot? FalseDeaths(List<SimulationRun> runs)
    {
        var candidates = runs.Where(static run => run.Scenario == "converge").ToList();
        if (candidates.Count == 0)
        {
            return null;
        }

        var nodes = candidates
            .GroupBy(static run => run.Nodes)
            .OrderByDescending(static group => group.Select(static run => (run.Loss, run.JitterMs)).Distinct().Count())
            .First().Key;
        var selected = candidates.Where(run => run.Nodes == nodes).ToList();
        var plot = new Plot();
        foreach (var group in selected.GroupBy(static run => run.JitterMs).OrderBy(static group => group.Key))
        {
            var points = group.GroupBy(static run => run.Loss).OrderBy(static g => g.Key).ToList();
            AddLine(
                plot,
                points.Select(static g => g.Key * 100).ToArray(),
                points.Select(static g => g.Average(static run => (double)run.FalseDeaths)).ToArray(),
                string.Create(CultureInfo.InvariantCulture, $"jitter up to {group.Key:0} ms"));
        }

        plot.Axes.SetLimitsY(0, Math.Max(1, selected.GroupBy(static run => (run.Loss, run.JitterMs)).Max(static g => g.Average(static run => (double)run.FalseDeaths))) * 1.15);
        var duration = selected.Max(static run => run.DurationS);
        plot.Title(string.Create(CultureInfo.InvariantCulture, $"False deaths: live nodes declared dead, {nodes} nodes, {duration:0} s"));
        plot.XLabel("datagram loss (%)");
        plot.YLabel("false deaths per run (mean over seeds)");
        plot.ShowLegend(Alignment.UpperLeft);
        return plot;
    }

    /// <summary>Labels a bottom axis that holds log10 values with the values themselves.</summary>
    /// <summary>Adds a measured series: markers joined by a line, with its legend.</summary>
    private static void AddLine(Plot plot, double[] xs, double[] ys, string legend)
    {
        var line = plot.Add.Scatter(xs, ys);
        line.LegendText = legend;
        line.MarkerSize = 8;
        line.LineWidth = 2;
    }

    private static void LogX(Plot plot)
    {
        var ticks = new ScottPlot.TickGenerators.NumericAutomatic
        {
            MinorTickGenerator = new ScottPlot.TickGenerators.LogMinorTickGenerator(),
            IntegerTicksOnly = true,
            LabelFormatter = static value => Math.Pow(10, value).ToString("N0", CultureInfo.InvariantCulture),
        };
        plot.Axes.Bottom.TickGenerator = ticks;
    }
}
