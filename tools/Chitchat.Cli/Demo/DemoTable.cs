using System.Globalization;

namespace Chitchat.Cli.Demo;

/// <summary>One column of the demo's table, with a wide and a narrow spelling.</summary>
/// <param name="Title">The header on wide terminals.</param>
/// <param name="ShortTitle">The header on narrow terminals.</param>
/// <param name="Cell">The cell on wide terminals.</param>
/// <param name="ShortCell">The cell on narrow terminals.</param>
/// <param name="DropRank">
/// The order in which columns are left out when even the narrow table is too wide (1 first; 0 = never).
/// </param>
internal sealed record DemoColumn(
    string Title,
    string ShortTitle,
    Func<DemoRow, int, string> Cell,
    Func<DemoRow, int, string> ShortCell,
    int DropRank);

/// <summary>
/// Lays the demo's table out for a terminal width: the wide spelling when it fits, then abbreviations (headers,
/// <c>:port</c> for the loopback address, <c>up</c>/<c>down</c>), then fewer columns, so that no line wraps.
/// </summary>
internal static class DemoTable
{
    /// <summary>The indentation in front of every line.</summary>
    public const string Indent = "  ";

    /// <summary>The space between two columns.</summary>
    public const string Separator = "  ";

    /// <summary>The columns, in display order.</summary>
    public static readonly IReadOnlyList<DemoColumn> Columns =
    [
        new("node", "node", (r, _) => r.Node, (r, _) => r.Node, 0),
        new("gen", "gen", (r, _) => Number(r.Generation), (r, _) => Number(r.Generation), 5),
        new("address", "port", (r, _) => r.Address, (r, _) => ShortAddress(r.Address), 4),
        new("process", "proc", (r, _) => r.Crashed ? "crashed" : "running", (r, _) => r.Crashed ? "down" : "up", 6),
        new("seen by node-0", "state", (r, _) => r.SeenByObserver, (r, _) => r.SeenByObserver, 0),
        new("heartbeat", "hb", (r, _) => Number(r.Heartbeat), (r, _) => Number(r.Heartbeat), 2),
        new("phi", "phi", (r, _) => Phi(r.Phi), (r, _) => Phi(r.Phi), 3),
        new("keys", "keys", (r, _) => Number(r.Keys), (r, _) => Number(r.Keys), 1),
        new("sees live", "live", LiveView, LiveView, 1),
    ];

    /// <summary>The index of the "seen by node-0" column in <see cref="Columns"/>.</summary>
    public const int StateColumn = 4;

    /// <summary>The index of the "process" column in <see cref="Columns"/>.</summary>
    public const int ProcessColumn = 3;

    /// <summary>Chooses the widest layout of <paramref name="rows"/> whose lines fit in <paramref name="width"/> columns.</summary>
    public static DemoTableLayout Fit(IReadOnlyList<DemoRow> rows, int nodeCount, int width)
    {
        var wide = Build(rows, nodeCount, compact: false, Enumerable.Range(0, Columns.Count).ToList());
        if (wide.Width <= width)
        {
            return wide;
        }

        var kept = Enumerable.Range(0, Columns.Count).ToList();
        var compact = Build(rows, nodeCount, compact: true, kept);
        foreach (var rank in Columns.Select(c => c.DropRank).Where(r => r > 0).Distinct().Order())
        {
            if (compact.Width <= width)
            {
                break;
            }

            kept.RemoveAll(index => Columns[index].DropRank == rank);
            compact = Build(rows, nodeCount, compact: true, kept);
        }

        return compact;
    }

    private static DemoTableLayout Build(IReadOnlyList<DemoRow> rows, int nodeCount, bool compact, List<int> columns)
    {
        var header = columns.Select(i => compact ? Columns[i].ShortTitle : Columns[i].Title).ToArray();
        var cells = rows
            .Select(row => columns.Select(i => compact ? Columns[i].ShortCell(row, nodeCount) : Columns[i].Cell(row, nodeCount)).ToArray())
            .ToList();
        var widths = header.Select((title, c) => Math.Max(title.Length, cells.Count == 0 ? 0 : cells.Max(line => line[c].Length))).ToArray();
        return new DemoTableLayout(compact, [.. columns], header, cells, widths);
    }

    private static string Number(ulong? value) => value?.ToString(CultureInfo.InvariantCulture) ?? "-";

    private static string Number(int? value) => value?.ToString(CultureInfo.InvariantCulture) ?? "-";

    private static string Phi(double? phi) => phi?.ToString("0.00", CultureInfo.InvariantCulture) ?? "-";

    private static string LiveView(DemoRow row, int nodeCount) =>
        row.LiveView is { } live ? string.Create(CultureInfo.InvariantCulture, $"{live}/{nodeCount}") : "-";

    /// <summary>Every demo node is on 127.0.0.1: the narrow table shows the port only.</summary>
    private static string ShortAddress(string address)
    {
        var colon = address.LastIndexOf(':');
        return colon >= 0 && address.StartsWith("127.0.0.1:", StringComparison.Ordinal) ? address[colon..] : address;
    }
}

/// <summary>A table laid out for one width: the chosen columns, their headers, cells and widths.</summary>
/// <param name="Compact">Whether the narrow spellings are used.</param>
/// <param name="ColumnIndexes">The indexes in <see cref="DemoTable.Columns"/> of the columns shown.</param>
/// <param name="Header">The headers.</param>
/// <param name="Cells">The cells, one array per row.</param>
/// <param name="Widths">The width of each column shown.</param>
internal sealed record DemoTableLayout(
    bool Compact,
    IReadOnlyList<int> ColumnIndexes,
    IReadOnlyList<string> Header,
    IReadOnlyList<string[]> Cells,
    IReadOnlyList<int> Widths)
{
    /// <summary>Gets the width of the longest line (indentation included).</summary>
    public int Width => DemoTable.Indent.Length + Widths.Sum() + (DemoTable.Separator.Length * Math.Max(0, Widths.Count - 1));

    /// <summary>The header line.</summary>
    public string HeaderLine(Func<string, string>? decorate = null) =>
        Line(Header, (_, text) => decorate is null ? text : decorate(text));

    /// <summary>The line of row <paramref name="row"/>; <paramref name="decorate"/> may wrap a padded cell (colours).</summary>
    public string RowLine(int row, Func<int, string, string>? decorate = null) =>
        Line(Cells[row], (column, text) => decorate is null ? text : decorate(ColumnIndexes[column], text));

    private string Line(IReadOnlyList<string> cells, Func<int, string, string> decorate)
    {
        var parts = new string[cells.Count];
        for (var c = 0; c < cells.Count; c++)
        {
            // The last column is not padded, so that plain lines have no trailing spaces.
            var text = c == cells.Count - 1 ? cells[c] : cells[c].PadRight(Widths[c]);
            parts[c] = decorate(c, text);
        }

        return DemoTable.Indent + string.Join(DemoTable.Separator, parts);
    }
}
