namespace Chitchat.Testing.Simulation;

/// <summary>
/// How a simulated network link (one direction, from one node to another) treats the datagrams it carries.
/// </summary>
/// <remarks>
/// Every datagram is first dropped with probability <see cref="Loss"/>; a surviving one arrives after
/// <see cref="Delay"/> plus a uniform share of <see cref="Jitter"/>, plus <see cref="ReorderingDelay"/> with
/// probability <see cref="Reordering"/> (so that it overtakes, or is overtaken by, the datagrams around it), and is
/// delivered twice with probability <see cref="Duplication"/> (the copy with its own delay). Immutable.
/// </remarks>
public sealed record LinkConditions
{
    /// <summary>Gets a link that loses nothing, with a 1 ms delay.</summary>
    public static LinkConditions Default { get; } = new();

    /// <summary>Gets the probability (0 to 1) that a datagram is lost.</summary>
    public double Loss { get; init; }

    /// <summary>Gets the one-way delay of every datagram. Default: 1 ms.</summary>
    public TimeSpan Delay { get; init; } = TimeSpan.FromMilliseconds(1);

    /// <summary>Gets the largest extra delay, drawn uniformly for each datagram. Default: none.</summary>
    public TimeSpan Jitter { get; init; }

    /// <summary>Gets the probability (0 to 1) that a datagram is delivered twice.</summary>
    public double Duplication { get; init; }

    /// <summary>Gets the probability (0 to 1) that a datagram is held back by <see cref="ReorderingDelay"/>.</summary>
    public double Reordering { get; init; }

    /// <summary>Gets how long a reordered datagram is held back. Default: 50 ms.</summary>
    public TimeSpan ReorderingDelay { get; init; } = TimeSpan.FromMilliseconds(50);

    /// <summary>Throws if a probability is outside 0 to 1 or a duration is negative.</summary>
    /// <exception cref="ArgumentOutOfRangeException">A value is out of range.</exception>
    public void Validate()
    {
        CheckProbability(Loss, nameof(Loss));
        CheckProbability(Duplication, nameof(Duplication));
        CheckProbability(Reordering, nameof(Reordering));
        ArgumentOutOfRangeException.ThrowIfLessThan(Delay, TimeSpan.Zero, nameof(Delay));
        ArgumentOutOfRangeException.ThrowIfLessThan(Jitter, TimeSpan.Zero, nameof(Jitter));
        ArgumentOutOfRangeException.ThrowIfLessThan(ReorderingDelay, TimeSpan.Zero, nameof(ReorderingDelay));
    }

    private static void CheckProbability(double value, string name)
    {
        if (!(value >= 0 && value <= 1))
        {
            throw new ArgumentOutOfRangeException(name, value, $"{name} must be a probability between 0 and 1.");
        }
    }
}
