using Spectre.Console;
using Spectre.Console.Rendering;

namespace Chitchat.Cli.Demo;

/// <summary>The demo's output on a terminal: a table refreshed in place (Spectre.Console Live) with the latest events under it.</summary>
internal sealed class LiveDemoView : IDemoView
{
    private const int EventLines = 14;
    private static readonly TimeSpan s_refreshPeriod = TimeSpan.FromMilliseconds(200);

    private readonly DemoCluster _cluster;
    private readonly int _nodeCount;
    private readonly IAnsiConsole _console;
    private readonly Lock _gate = new();
    private readonly List<string> _events = [];
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
            _events.Add($"[bold]{Markup.Escape(_step)}[/]");
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
        var exitCode = await _console.Live(Render()).AutoClear(false).StartAsync(async context =>
        {
            var run = Task.Run(scenario);
            while (!run.IsCompleted)
            {
                context.UpdateTarget(Render());
                await Task.WhenAny(run, Task.Delay(s_refreshPeriod)).ConfigureAwait(false);
            }

            context.UpdateTarget(Render());
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
            _events.Clear();
        }

        await _console.Live(Render()).AutoClear(false).StartAsync(async context =>
        {
            while (!cancellationToken.IsCancellationRequested)
            {
                context.UpdateTarget(Render());
                await Task.Delay(s_refreshPeriod, cancellationToken).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
            }
        }).ConfigureAwait(false);
    }

    private void AddEvent(TimeSpan elapsed, string markup)
    {
        lock (_gate)
        {
            _events.Add($"[grey]{DemoFormat.Seconds(elapsed),8}[/] {markup}");
        }
    }

    private IRenderable Render()
    {
        var table = new Table().Border(TableBorder.Rounded);
        foreach (var column in DemoFormat.Columns)
        {
            table.AddColumn(new TableColumn($"[bold]{Markup.Escape(column)}[/]"));
        }

        foreach (var row in DemoObserver.Observe(_cluster))
        {
            var cells = DemoFormat.Cells(row, _nodeCount).Select(Markup.Escape).ToArray();
            cells[3] = row.Crashed ? $"[red]{cells[3]}[/]" : $"[green]{cells[3]}[/]";
            cells[4] = row.SeenByObserver switch
            {
                "live" or "self" => $"[green]{cells[4]}[/]",
                "dead" or "forgetting" or "forgotten" => $"[red]{cells[4]}[/]",
                _ => $"[yellow]{cells[4]}[/]",
            };
            table.AddRow(cells);
        }

        string step;
        string[] events;
        lock (_gate)
        {
            step = _step;
            events = _events.Skip(Math.Max(0, _events.Count - EventLines)).ToArray();
        }

        return new Rows(
            new Markup($"[bold blue]{Markup.Escape(step)}[/]"),
            table,
            new Markup(events.Length == 0 ? " " : string.Join('\n', events)));
    }
}
