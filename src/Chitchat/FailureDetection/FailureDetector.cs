namespace Chitchat.FailureDetection;

/// <summary>Phi-accrual failure detector (port of chitchat failure_detector.rs). STUB: to be implemented.</summary>
internal sealed class FailureDetector
{
    public FailureDetector(FailureDetectorConfig config, TimeProvider timeProvider)
    {
        Config = config;
        TimeProvider = timeProvider;
    }

    public FailureDetectorConfig Config { get; }

    public TimeProvider TimeProvider { get; }

    /// <summary>Records a heartbeat increase of <paramref name="id"/> now (creates its window if needed).</summary>
    public void ReportHeartbeat(ChitchatId id) => throw new NotImplementedException();

    /// <summary>Makes sure <paramref name="id"/> has a sampling window, without recording a heartbeat.</summary>
    public void EnsureSamplingWindow(ChitchatId id) => throw new NotImplementedException();

    /// <summary>Re-evaluates whether <paramref name="id"/> is live (BEHAVIOUR.md §10.3).</summary>
    public void UpdateNodeLiveness(ChitchatId id) => throw new NotImplementedException();

    /// <summary>Removes dead nodes whose grace period elapsed and returns them (BEHAVIOUR.md §10.6).</summary>
    public List<ChitchatId> GarbageCollect() => throw new NotImplementedException();

    /// <summary>Gets the live nodes (self never included).</summary>
    public IEnumerable<ChitchatId> LiveNodes => throw new NotImplementedException();

    /// <summary>Gets the dead nodes.</summary>
    public IEnumerable<ChitchatId> DeadNodes => throw new NotImplementedException();

    /// <summary>Gets the dead nodes whose time of death is more than half the grace period ago.</summary>
    public IEnumerable<ChitchatId> ScheduledForDeletionNodes => throw new NotImplementedException();

    /// <summary>Returns whether <paramref name="id"/> is in the live set.</summary>
    public bool IsLive(ChitchatId id) => throw new NotImplementedException();

    /// <summary>Returns whether <paramref name="id"/> is in the dead set.</summary>
    public bool IsDead(ChitchatId id) => throw new NotImplementedException();

    /// <summary>Returns the current phi of <paramref name="id"/>, or null when it has no interval yet.</summary>
    public double? Phi(ChitchatId id) => throw new NotImplementedException();
}
