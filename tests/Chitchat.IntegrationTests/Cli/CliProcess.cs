using System.Diagnostics;
using System.Text;

namespace Chitchat.IntegrationTests.Cli;

/// <summary>
/// A running <c>chitchat</c> process whose output is captured as it comes (so the pipes never fill up). Disposing
/// it kills the whole process tree if it is still running, so that no test leaves a node behind, even on failure.
/// </summary>
internal sealed class CliProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly StringBuilder _stdout = new();
    private readonly StringBuilder _stderr = new();
    private readonly TaskCompletionSource _stdoutClosed = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly TaskCompletionSource _stderrClosed = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public CliProcess(ProcessStartInfo startInfo)
    {
        _process = new Process { StartInfo = startInfo, EnableRaisingEvents = true };
        _process.OutputDataReceived += (_, e) => Append(_stdout, e.Data, _stdoutClosed);
        _process.ErrorDataReceived += (_, e) => Append(_stderr, e.Data, _stderrClosed);
        _process.Start();
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();
    }

    public int Id => _process.Id;

    public bool HasExited => _process.HasExited;

    public StreamWriter StandardInput => _process.StandardInput;

    public string StandardOutputText
    {
        get
        {
            lock (_stdout)
            {
                return _stdout.ToString();
            }
        }
    }

    public string StandardErrorText
    {
        get
        {
            lock (_stderr)
            {
                return _stderr.ToString();
            }
        }
    }

    /// <summary>Waits for the process to exit; kills it and fails if it takes longer than <paramref name="timeout"/>.</summary>
    public async Task<int> WaitForExitAsync(TimeSpan timeout)
    {
        using var cts = new CancellationTokenSource(timeout);
        try
        {
            await _process.WaitForExitAsync(cts.Token);
        }
        catch (OperationCanceledException)
        {
            Kill();
            throw new TimeoutException($"chitchat did not exit within {timeout}.\n{Describe()}");
        }

        // The exit can be seen before the last lines of output: wait (briefly) for the streams to close.
        await Task.WhenAll(_stdoutClosed.Task, _stderrClosed.Task).WaitAsync(TimeSpan.FromSeconds(5)).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        return _process.ExitCode;
    }

    /// <summary>Kills the process and its children at once (SIGKILL on Unix): no chance to say goodbye.</summary>
    public void Kill()
    {
        try
        {
            if (!_process.HasExited)
            {
                _process.Kill(entireProcessTree: true);
            }
        }
        catch (InvalidOperationException)
        {
            // Already gone.
        }
    }

    /// <summary>Sends SIGTERM (a polite stop request) to the process.</summary>
    public Task TerminateAsync() => SignalAsync("TERM");

    /// <summary>Sends the signal <paramref name="name"/> (<c>TERM</c>, <c>STOP</c>, <c>CONT</c>, …) to the process.</summary>
    public async Task SignalAsync(string name)
    {
        using var kill = Process.Start(new ProcessStartInfo("kill") { ArgumentList = { "-" + name, Id.ToString(System.Globalization.CultureInfo.InvariantCulture) } })!;
        await kill.WaitForExitAsync();
        if (kill.ExitCode != 0)
        {
            throw new InvalidOperationException($"kill -{name} {Id} failed with exit code {kill.ExitCode}.");
        }
    }

    /// <summary>The last lines of the captured output, for failure messages.</summary>
    public string Describe(int lines = 25)
    {
        static string Tail(string text, int count) => string.Join('\n', text.Split('\n').TakeLast(count));
        return $"--- stdout (tail) ---\n{Tail(StandardOutputText, lines)}\n--- stderr (tail) ---\n{Tail(StandardErrorText, lines)}";
    }

    public async ValueTask DisposeAsync()
    {
        Kill();
        try
        {
            await _process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(10));
        }
        catch (TimeoutException)
        {
            // Nothing more can be done; the process object is released anyway.
        }

        _process.Dispose();
    }

    private static void Append(StringBuilder buffer, string? line, TaskCompletionSource closed)
    {
        if (line is null)
        {
            closed.TrySetResult();
            return;
        }

        lock (buffer)
        {
            buffer.Append(line).Append('\n');
        }
    }
}
