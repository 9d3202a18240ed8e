using System.Globalization;

namespace Chitchat.Cli.Demo;

/// <summary>Text formatting shared by the demo's views.</summary>
internal static class DemoFormat
{
    /// <summary>Formats a duration as seconds with two decimals: <c>1.38 s</c>.</summary>
    public static string Seconds(TimeSpan duration) =>
        duration.TotalSeconds.ToString("0.00", CultureInfo.InvariantCulture) + " s";

    /// <summary>Lays the table out for plain output (no width limit: redirected output does not wrap).</summary>
    public static IEnumerable<string> PlainTable(IReadOnlyList<DemoRow> rows, int nodeCount)
    {
        var layout = DemoTable.Fit(rows, nodeCount, int.MaxValue);
        yield return layout.HeaderLine().TrimEnd();
        for (var row = 0; row < layout.Cells.Count; row++)
        {
            yield return layout.RowLine(row).TrimEnd();
        }
    }
}
