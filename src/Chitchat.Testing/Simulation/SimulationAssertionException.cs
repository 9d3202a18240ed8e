namespace Chitchat.Testing.Simulation;

/// <summary>Thrown by the assertion helpers of <see cref="ClusterSimulation"/> when the cluster is not in the expected state.</summary>
public sealed class SimulationAssertionException : Exception
{
    /// <summary>Creates the exception.</summary>
    public SimulationAssertionException()
    {
    }

    /// <summary>Creates the exception with a message.</summary>
    /// <param name="message">What was expected and what was found.</param>
    public SimulationAssertionException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception with a message and a cause.</summary>
    /// <param name="message">What was expected and what was found.</param>
    /// <param name="innerException">The cause.</param>
    public SimulationAssertionException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
