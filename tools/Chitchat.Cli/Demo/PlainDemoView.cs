namespace Chitchat.Cli.Demo;

/// <summary>The demo's output when it is not a terminal: one line per event, and the table after each step.</summary>
internal sealed class PlainDemoView : IDemoView
{
    private static readonly TimeSpan s_followPeriod = TimeSpan.FromSeconds(5);

    private readonly DemoCluster _cluster;
    private readonly int _nodeCount;
    private readonly TextWriter _output;
    private readonly Lock _gate = new();

    public PlainDemoView(DemoCluster cluster, int nodeCount, TextWriter output)
    {
        _cluster = cluster;
        _nodeCount = nodeCount;
        _output = output;
    }

    public void Intro(IReadOnlyList<string> lines)
    {
        foreach (var line in lines)
        {
            Write(line);
        }
    }

    public void StepStarted(int number, int total, string title)
    {
        Write(string.Empty);
        Write($"Step {number}/{total}: {title}");
    }

    public void Event(TimeSpan elapsed, string text) => Write($"  [{Stamp(elapsed)}] {text}");

    public void StepCompleted(TimeSpan elapsed, string text) => Write($"  [{Stamp(elapsed)}] done: {text}");

    public void StepFailed(TimeSpan elapsed, string text) => Write($"  [{Stamp(elapsed)}] FAILED: {text}");

    public void ShowState(IReadOnlyList<DemoRow> rows)
    {
        foreach (var line in DemoFormat.PlainTable(rows, _nodeCount))
        {
            Write(line);
        }
    }

    public void Summary(string title, IReadOnlyList<(string Step, string Result)> lines)
    {
        Write(string.Empty);
        Write(title);
        var width = lines.Count == 0 ? 0 : lines.Max(line => line.Step.Length);
        foreach (var (step, result) in lines)
        {
            Write($"  {step.PadRight(width)}  {result}");
        }
    }

    public Task<int> RunAsync(Func<Task<int>> scenario) => scenario();

    public async Task FollowAsync(CancellationToken cancellationToken)
    {
        Write(string.Empty);
        Write("Following the cluster (--follow); press Ctrl+C to stop.");
        using var timer = new PeriodicTimer(s_followPeriod);
        try
        {
            while (await timer.WaitForNextTickAsync(cancellationToken).ConfigureAwait(false))
            {
                Write(string.Empty);
                Write($"Cluster at {DateTimeOffset.Now:HH:mm:ss}:");
                ShowState(DemoObserver.Observe(_cluster));
            }
        }
        catch (OperationCanceledException)
        {
            // Ctrl+C: the normal end of --follow.
        }
    }

    private static string Stamp(TimeSpan elapsed) => DemoFormat.Seconds(elapsed).PadLeft(8);

    private void Write(string line)
    {
        lock (_gate)
        {
            _output.WriteLine(line);
        }
    }
}
