using Spectre.Console;
using Spectre.Console.Rendering;

namespace Chitchat.Cli.Demo;

/// <summary>
/// The demo's output on a terminal: the events printed as lines, which stay in the scrollback, above a table
/// refreshed in place (Spectre.Console Live) and laid out for the terminal's width and height.
/// </summary>
internal sealed class LiveDemoView : IDemoView
{
    private static readonly TimeSpan s_refreshPeriod = TimeSpan.FromMilliseconds(200);

    private readonly DemoCluster _cluster;
    private readonly int _nodeCount;
    private readonly IAnsiConsole _console;
    private readonly Lock _gate = new();

    // Events wait here until the refresh loop prints them: only that loop writes to the console while the live
    // table is on screen, so that every line is printed above the table and none is lost.
    private readonly List<string> _pending = [];
    private string _step = string.Empty;
    private Table? _summary;

    public LiveDemoView(DemoCluster cluster, int nodeCount, IAnsiConsole console)
    {
        _cluster = cluster;
        _nodeCount = nodeCount;
        _console = console;
    }

    public void Intro(IReadOnlyList<string> lines)
    {
        foreach (var line in lines)
        {
            _console.MarkupLine(Markup.Escape(line));
        }
    }

    public void StepStarted(int number, int total, string title)
    {
        lock (_gate)
        {
            _step = $"Step {number}/{total}: {title}";
            _pending.Add($"[bold]{Markup.Escape(_step)}[/]");
        }
    }

    public void Event(TimeSpan elapsed, string text) => AddEvent(elapsed, Markup.Escape(text));

    public void StepCompleted(TimeSpan elapsed, string text) => AddEvent(elapsed, $"[green]done:[/] {Markup.Escape(text)}");

    public void StepFailed(TimeSpan elapsed, string text) => AddEvent(elapsed, $"[red bold]FAILED:[/] {Markup.Escape(text)}");

    public void ShowState(IReadOnlyList<DemoRow> rows)
    {
        // The live table shows the state continuously.
    }

    public void Summary(string title, IReadOnlyList<(string Step, string Result)> lines)
    {
        var table = new Table().Border(TableBorder.Rounded).Title(Markup.Escape(title));
        table.AddColumn("step");
        table.AddColumn("result");
        foreach (var (step, result) in lines)
        {
            table.AddRow(Markup.Escape(step), Markup.Escape(result));
        }

        // Written once the live display has ended: writing during it would garble the screen.
        lock (_gate)
        {
            _summary = table;
        }
    }

    public async Task<int> RunAsync(Func<Task<int>> scenario)
    {
        var exitCode = await Live().StartAsync(async context =>
        {
            var run = Task.Run(scenario);
            while (!run.IsCompleted)
            {
                Refresh(context);
                await Task.WhenAny(run, Task.Delay(s_refreshPeriod)).ConfigureAwait(false);
            }

            Refresh(context);
            return await run.ConfigureAwait(false);
        }).ConfigureAwait(false);

        Table? summary;
        lock (_gate)
        {
            summary = _summary;
        }

        if (summary is not null)
        {
            _console.Write(summary);
        }

        return exitCode;
    }

    public async Task FollowAsync(CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            _step = "Following the cluster (--follow): press Ctrl+C to stop";
        }

        await Live().StartAsync(async context =>
        {
            while (!cancellationToken.IsCancellationRequested)
            {
                Refresh(context);
                await Task.Delay(s_refreshPeriod, cancellationToken).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
            }
        }).ConfigureAwait(false);
    }

    private LiveDisplay Live() =>
        _console.Live(new Text(string.Empty)).AutoClear(false).Overflow(VerticalOverflow.Ellipsis).Cropping(VerticalOverflowCropping.Bottom);

    private void AddEvent(TimeSpan elapsed, string markup)
    {
        lock (_gate)
        {
            _pending.Add($"[grey]{DemoFormat.Seconds(elapsed),8}[/] {markup}");
        }
    }

    /// <summary>Prints the new events above the live table, then redraws the table.</summary>
    private void Refresh(LiveDisplayContext context)
    {
        string[] events;
        string step;
        lock (_gate)
        {
            events = [.. _pending];
            _pending.Clear();
            step = _step;
        }

        if (events.Length > 0)
        {
            // One write: the live display moves the cursor to the top of the table, the table's old lines are
            // erased, the events are printed where it was, and the table is drawn again under them.
            _console.Write(new EraseBelow(new Rows(events.Select(line => new Markup(line)))));
        }

        context.UpdateTarget(Render(step));
    }

    private IRenderable Render(string step)
    {
        var width = Math.Max(20, _console.Profile.Width);
        var height = Math.Max(6, _console.Profile.Height);
        var rows = DemoObserver.Observe(_cluster);
        var layout = DemoTable.Fit(rows, _nodeCount, width);

        // The step line, the header and the rows; leave a few lines of the terminal for the latest events.
        var roomForRows = Math.Max(1, height - 6);
        var lines = new List<IRenderable>(rows.Count + 3)
        {
            new Markup($"[bold blue]{Markup.Escape(Truncate(step, width - 1))}[/]"),
            new Markup(layout.HeaderLine(text => $"[bold]{Markup.Escape(text)}[/]")),
        };
        var shown = ChooseRows(rows, rows.Count <= roomForRows ? rows.Count : roomForRows - 1);
        foreach (var row in shown)
        {
            var line = layout.RowLine(row, (column, text) => Colour(rows[row], column, text));
            lines.Add(new Markup(line));
        }

        if (shown.Count < rows.Count)
        {
            lines.Add(new Markup($"[grey]{Markup.Escape(Truncate($"{DemoTable.Indent}… {rows.Count - shown.Count} more live nodes (a taller terminal shows them)", width - 1))}[/]"));
        }

        return new Rows(lines);
    }

    /// <summary>
    /// The rows that fit, in table order: the nodes that are not plainly live (crashed, joining, dead, forgotten)
    /// first, so that a short terminal still shows what the demo is about, then the others.
    /// </summary>
    internal static List<int> ChooseRows(IReadOnlyList<DemoRow> rows, int room)
    {
        var notable = Enumerable.Range(0, rows.Count).Where(i => rows[i].Crashed || rows[i].SeenByObserver is not ("live" or "self"));
        var others = Enumerable.Range(0, rows.Count).Where(i => !rows[i].Crashed && rows[i].SeenByObserver is "live" or "self");
        return notable.Concat(others).Take(Math.Max(0, room)).Order().ToList();
    }

    private static string Truncate(string text, int width) =>
        text.Length <= width ? text : string.Concat(text.AsSpan(0, Math.Max(0, width - 1)), "…");

    private static string Colour(DemoRow row, int column, string text)
    {
        var escaped = Markup.Escape(text);
        return column switch
        {
            DemoTable.ProcessColumn => row.Crashed ? $"[red]{escaped}[/]" : $"[green]{escaped}[/]",
            DemoTable.StateColumn => row.SeenByObserver switch
            {
                "live" or "self" => $"[green]{escaped}[/]",
                "dead" or "forgetting" or "forgotten" => $"[red]{escaped}[/]",
                _ => $"[yellow]{escaped}[/]",
            },
            _ => escaped,
        };
    }

    /// <summary>Erases the screen from the cursor down (ANSI ED 0), then renders <see cref="_inner"/>.</summary>
    private sealed class EraseBelow(IRenderable inner) : IRenderable
    {
        private readonly IRenderable _inner = inner;

        public Measurement Measure(RenderOptions options, int maxWidth) => _inner.Measure(options, maxWidth);

        public IEnumerable<Segment> Render(RenderOptions options, int maxWidth) =>
            _inner.Render(options, maxWidth).Prepend(Segment.Control("\u001b[0J"));
    }
}
