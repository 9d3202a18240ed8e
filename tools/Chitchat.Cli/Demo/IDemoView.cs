namespace Chitchat.Cli.Demo;

/// <summary>How the demo shows its progress: a live table on a terminal, plain lines otherwise.</summary>
internal interface IDemoView
{
    /// <summary>Shows the demo's introduction.</summary>
    void Intro(IReadOnlyList<string> lines);

    /// <summary>A step begins.</summary>
    void StepStarted(int number, int total, string title);

    /// <summary>Something happened during the current step, at <paramref name="elapsed"/> since the demo started.</summary>
    void Event(TimeSpan elapsed, string text);

    /// <summary>The current step completed.</summary>
    void StepCompleted(TimeSpan elapsed, string text);

    /// <summary>The current step did not complete within its bound.</summary>
    void StepFailed(TimeSpan elapsed, string text);

    /// <summary>Shows the cluster's state (plain output prints it after each step; the live table shows it continuously).</summary>
    void ShowState(IReadOnlyList<DemoRow> rows);

    /// <summary>Shows the closing summary.</summary>
    void Summary(string title, IReadOnlyList<(string Step, string Result)> lines);

    /// <summary>Runs <paramref name="scenario"/> while showing the cluster, and returns its exit code.</summary>
    Task<int> RunAsync(Func<Task<int>> scenario);

    /// <summary>Keeps showing the cluster until <paramref name="cancellationToken"/> is cancelled (<c>--follow</c>).</summary>
    Task FollowAsync(CancellationToken cancellationToken);
}
