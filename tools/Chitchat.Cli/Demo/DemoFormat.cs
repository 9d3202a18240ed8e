using System.Globalization;

namespace Chitchat.Cli.Demo;

/// <summary>Text formatting shared by the demo's views.</summary>
internal static class DemoFormat
{
    public static readonly string[] Columns = ["node", "gen", "address", "process", "seen by node-0", "heartbeat", "phi", "keys", "sees live"];

    /// <summary>Formats a duration as seconds with two decimals: <c>1.38 s</c>.</summary>
    public static string Seconds(TimeSpan duration) =>
        duration.TotalSeconds.ToString("0.00", CultureInfo.InvariantCulture) + " s";

    /// <summary>The cells of a row, in <see cref="Columns"/> order.</summary>
    public static string[] Cells(DemoRow row, int nodeCount) =>
    [
        row.Node,
        row.Generation.ToString(CultureInfo.InvariantCulture),
        row.Address,
        row.Crashed ? "crashed" : "running",
        row.SeenByObserver,
        row.Heartbeat?.ToString(CultureInfo.InvariantCulture) ?? "-",
        row.Phi?.ToString("0.00", CultureInfo.InvariantCulture) ?? "-",
        row.Keys?.ToString(CultureInfo.InvariantCulture) ?? "-",
        row.LiveView is { } live ? $"{live}/{nodeCount}" : "-",
    ];

    /// <summary>Lays the table out in fixed-width columns for plain output.</summary>
    public static IEnumerable<string> PlainTable(IReadOnlyList<DemoRow> rows, int nodeCount)
    {
        var cells = rows.Select(row => Cells(row, nodeCount)).ToList();
        var widths = Columns.Select((title, column) => Math.Max(title.Length, cells.Count == 0 ? 0 : cells.Max(c => c[column].Length))).ToArray();
        yield return "    " + string.Join("  ", Columns.Select((title, column) => title.PadRight(widths[column]))).TrimEnd();
        foreach (var line in cells)
        {
            yield return "    " + string.Join("  ", line.Select((cell, column) => cell.PadRight(widths[column]))).TrimEnd();
        }
    }
}
