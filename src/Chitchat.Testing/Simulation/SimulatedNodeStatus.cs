namespace Chitchat.Testing.Simulation;

/// <summary>What a simulated node is doing.</summary>
public enum SimulatedNodeStatus
{
    /// <summary>It gossips and answers.</summary>
    Running,

    /// <summary>It is frozen (a stopped process): no gossip rounds, datagrams to it are lost; it keeps its state.</summary>
    Paused,

    /// <summary>It is gone with its state; a restart brings it back with a new generation.</summary>
    Crashed,
}
