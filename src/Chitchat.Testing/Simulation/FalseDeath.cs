namespace Chitchat.Testing.Simulation;

/// <summary>
/// A node declared dead by another while it was running, not paused, and not cut off from it by a partition.
/// </summary>
/// <param name="Observer">The node whose failure detector declared the death.</param>
/// <param name="Subject">The node declared dead.</param>
/// <param name="At">The virtual time of the declaration, since the simulation started.</param>
public readonly record struct FalseDeath(ChitchatId Observer, ChitchatId Subject, TimeSpan At);
