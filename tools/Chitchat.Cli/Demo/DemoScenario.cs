using System.Diagnostics;
using Chitchat.Cli.Common;

namespace Chitchat.Cli.Demo;

/// <summary>
/// The demo's story, on a real UDP cluster in this process: the nodes converge, a key spreads, a node crashes
/// and every survivor declares it dead, the node restarts with a higher generation and rejoins, and its old
/// incarnation is forgotten. Each step is timed and bounded; a step that overruns its bound fails the demo.
/// </summary>
internal sealed class DemoScenario
{
    private const int StepCount = 5;
    private const string Key = "demo.greeting";
    private static readonly TimeSpan s_pollPeriod = TimeSpan.FromMilliseconds(20);

    private readonly DemoCluster _cluster;
    private readonly DemoSettings _settings;
    private readonly IDemoView _view;
    private readonly Stopwatch _clock = new();
    private readonly List<(string Step, string Result)> _summary = [];
    private int _step;

    public DemoScenario(DemoCluster cluster, DemoSettings settings, IDemoView view)
    {
        _cluster = cluster;
        _settings = settings;
        _view = view;
    }

    /// <summary>Runs the steps; returns 0 if all completed, 1 if one overran its bound.</summary>
    /// <exception cref="OperationCanceledException">Ctrl+C.</exception>
    public async Task<int> RunAsync(CancellationToken cancellationToken)
    {
        _clock.Start();
        var ok = await ConvergeAsync(cancellationToken).ConfigureAwait(false)
            && await SpreadKeyAsync(cancellationToken).ConfigureAwait(false);
        DemoNode? crashed = null;
        if (ok)
        {
            crashed = _cluster.Incarnations[^1];
            ok = await CrashAsync(crashed, cancellationToken).ConfigureAwait(false);
        }

        if (ok)
        {
            ok = await RestartAsync(crashed!, cancellationToken).ConfigureAwait(false)
                && await ForgetAsync(crashed!, cancellationToken).ConfigureAwait(false);
        }

        var total = DemoFormat.Seconds(_clock.Elapsed);
        _view.Summary(
            ok ? $"Summary: all {StepCount} steps completed in {total}" : $"Summary: the demo FAILED at step {_step}/{StepCount} after {total}",
            _summary);
        return ok ? ExitCodes.Success : ExitCodes.Failure;
    }

    private async Task<bool> ConvergeAsync(CancellationToken cancellationToken)
    {
        var n = _settings.NodeCount;
        var start = Begin($"start {n} nodes and let them discover each other through the seed node-0");
        for (var slot = 0; slot < n; slot++)
        {
            var node = await _cluster.StartAsync(slot, cancellationToken).ConfigureAwait(false);
            var seeds = node.Seeds.Count == 0 ? "no seed (it is the seed)" : $"seed {string.Join(", ", node.Seeds)}";
            _view.Event(_clock.Elapsed, $"{node.Name} started on udp://{SocketAddressFormat.Format(node.Address)} (generation {node.Id.GenerationId}), {seeds}");
        }

        var bound = _settings.Bound(TimeSpan.FromSeconds(15));
        var converged = await WaitUntilAsync(AllSeeAllRunningLive, bound, cancellationToken).ConfigureAwait(false);
        return End(
            converged,
            start,
            $"the cluster converged, every node sees all {n} nodes live",
            $"the nodes did not all see each other live within {DemoFormat.Seconds(bound)}",
            "converge");
    }

    private async Task<bool> SpreadKeyAsync(CancellationToken cancellationToken)
    {
        var writer = _cluster.Incarnations[Math.Min(1, _cluster.Incarnations.Count - 1)];
        var value = $"hello from {writer.Name}";
        var start = Begin($"set {Key}=\"{value}\" on {writer.Name} and watch it reach every node");
        writer.Handle.Chitchat.Set(Key, value);
        _view.Event(_clock.Elapsed, $"{writer.Name} set {Key}");

        var reached = new HashSet<ChitchatId>();
        bool AllHaveIt()
        {
            foreach (var node in _cluster.Running)
            {
                if (reached.Contains(node.Id))
                {
                    continue;
                }

                var seen = node.Handle.Chitchat.TryGetNodeState(writer.Id, out var state) && state.TryGetValue(Key, out var found) ? found : null;
                if (seen == value)
                {
                    reached.Add(node.Id);
                    if (!node.Id.Equals(writer.Id))
                    {
                        _view.Event(_clock.Elapsed, $"{node.Name} has the key after {DemoFormat.Seconds(_clock.Elapsed - start)}");
                    }
                }
            }

            return _cluster.Running.All(node => reached.Contains(node.Id));
        }

        var bound = _settings.Bound(TimeSpan.FromSeconds(10));
        var ok = await WaitUntilAsync(AllHaveIt, bound, cancellationToken).ConfigureAwait(false);
        return End(
            ok,
            start,
            $"the key reached all {_settings.NodeCount} nodes",
            $"the key did not reach every node within {DemoFormat.Seconds(bound)}",
            "key spread");
    }

    private async Task<bool> CrashAsync(DemoNode victim, CancellationToken cancellationToken)
    {
        var start = Begin($"crash {victim.Name} (no goodbye: its gossip loop is cancelled and its socket closed) and wait for every survivor to declare it dead");
        victim.Crash();
        _view.Event(_clock.Elapsed, $"{victim.Name} crashed");

        var declaredAt = new Dictionary<ChitchatId, TimeSpan>();
        bool AllDeclaredDead()
        {
            foreach (var survivor in _cluster.Running)
            {
                if (declaredAt.ContainsKey(survivor.Id))
                {
                    continue;
                }

                var view = survivor.Handle.Chitchat.GetClusterState();
                var dead = !view.LiveNodes.Contains(victim.Id) && view.DeadNodes.Contains(victim.Id);
                if (dead)
                {
                    var after = _clock.Elapsed - start;
                    declaredAt[survivor.Id] = after;
                    _view.Event(_clock.Elapsed, $"{survivor.Name} declared {victim.Name} dead after {DemoFormat.Seconds(after)}");
                }
            }

            return _cluster.Running.All(node => declaredAt.ContainsKey(node.Id));
        }

        var bound = _settings.Bound(TimeSpan.FromSeconds(20));
        var ok = await WaitUntilAsync(AllDeclaredDead, bound, cancellationToken).ConfigureAwait(false);
        var survivors = _cluster.Running.Count;
        var detail = declaredAt.Count == 0
            ? string.Empty
            : $" (first after {DemoFormat.Seconds(declaredAt.Values.Min())}, last after {DemoFormat.Seconds(declaredAt.Values.Max())})";
        return End(
            ok,
            start,
            $"all {survivors} survivors declared {victim.Name} dead{detail}",
            $"only {declaredAt.Count} of {survivors} survivors declared {victim.Name} dead within {DemoFormat.Seconds(bound)}",
            "crash detected");
    }

    private async Task<bool> RestartAsync(DemoNode crashed, CancellationToken cancellationToken)
    {
        var start = Begin($"restart {crashed.Name} on the same address with a higher generation and watch it rejoin");
        var restarted = await _cluster.RestartAsync(crashed, cancellationToken).ConfigureAwait(false);
        _view.Event(
            _clock.Elapsed,
            $"{restarted.Name} restarted on udp://{SocketAddressFormat.Format(restarted.Address)} with generation {restarted.Id.GenerationId} (was {crashed.Id.GenerationId})");

        var bound = _settings.Bound(TimeSpan.FromSeconds(15));
        var ok = await WaitUntilAsync(AllSeeAllRunningLive, bound, cancellationToken).ConfigureAwait(false);
        return End(
            ok,
            start,
            $"{restarted.Name} (generation {restarted.Id.GenerationId}) rejoined, every node sees all {_settings.NodeCount} nodes live",
            $"{restarted.Name} did not rejoin everywhere within {DemoFormat.Seconds(bound)}",
            "rejoin");
    }

    private async Task<bool> ForgetAsync(DemoNode crashed, CancellationToken cancellationToken)
    {
        var grace = DemoFormat.Seconds(_settings.DeadNodeGracePeriod);
        var start = Begin($"wait for the old incarnation of {crashed.Name} (generation {crashed.Id.GenerationId}) to be forgotten (dead-node grace period {grace})");
        var forgottenBy = new HashSet<ChitchatId>();
        bool AllForgot()
        {
            foreach (var node in _cluster.Running)
            {
                if (forgottenBy.Contains(node.Id))
                {
                    continue;
                }

                if (!node.Handle.Chitchat.TryGetNodeState(crashed.Id, out _))
                {
                    forgottenBy.Add(node.Id);
                    var who = node.Name == crashed.Name ? $"{node.Name} (new incarnation)" : node.Name;
                    _view.Event(_clock.Elapsed, $"{who} forgot {crashed.Name} generation {crashed.Id.GenerationId}");
                }
            }

            return _cluster.Running.All(node => forgottenBy.Contains(node.Id));
        }

        var bound = _settings.DeadNodeGracePeriod + _settings.Bound(TimeSpan.FromSeconds(10));
        var ok = await WaitUntilAsync(AllForgot, bound, cancellationToken).ConfigureAwait(false);
        return End(
            ok,
            start,
            $"every node forgot the old incarnation of {crashed.Name}",
            $"the old incarnation of {crashed.Name} was not forgotten everywhere within {DemoFormat.Seconds(bound)}",
            "old incarnation forgotten");
    }

    private bool AllSeeAllRunningLive()
    {
        var running = _cluster.Running;
        var expected = running.Select(node => node.Id).ToHashSet();
        return running.All(node => node.LiveNodes().SetEquals(expected));
    }

    private TimeSpan Begin(string title)
    {
        _step++;
        _view.StepStarted(_step, StepCount, title);
        return _clock.Elapsed;
    }

    private bool End(bool ok, TimeSpan start, string success, string failure, string summaryName)
    {
        var took = _clock.Elapsed - start;
        if (ok)
        {
            _view.StepCompleted(_clock.Elapsed, $"{success} — {DemoFormat.Seconds(took)}");
            _summary.Add(($"{_step}. {summaryName}", DemoFormat.Seconds(took)));
        }
        else
        {
            _view.StepFailed(_clock.Elapsed, failure);
            _summary.Add(($"{_step}. {summaryName}", $"FAILED after {DemoFormat.Seconds(took)}: {failure}"));
        }

        _view.ShowState(DemoObserver.Observe(_cluster));
        return ok;
    }

    /// <summary>Polls <paramref name="condition"/> until it holds or <paramref name="bound"/> elapses.</summary>
    private static async Task<bool> WaitUntilAsync(Func<bool> condition, TimeSpan bound, CancellationToken cancellationToken)
    {
        var deadline = Stopwatch.StartNew();
        while (!condition())
        {
            if (deadline.Elapsed >= bound)
            {
                return false;
            }

            await Task.Delay(s_pollPeriod, cancellationToken).ConfigureAwait(false);
        }

        return true;
    }
}
