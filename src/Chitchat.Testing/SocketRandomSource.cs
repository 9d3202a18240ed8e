namespace Chitchat.Testing;

/// <summary>Hands each socket of a decorating transport its own <see cref="Random"/>.</summary>
/// <remarks>
/// With a seed, socket seeds come from one seeded generator, so runs that open sockets in the same order
/// are reproducible and sockets do not share a sequence. Thread-safe.
/// </remarks>
internal sealed class SocketRandomSource
{
    private readonly Lock _gate = new();
    private readonly Random? _seeds;

    public SocketRandomSource(int? seed)
    {
        _seeds = seed is { } value ? new Random(value) : null;
    }

    /// <summary>Creates the generator of the next socket. Not thread-safe itself: guard its use.</summary>
    /// <returns>A new generator.</returns>
    public Random Next()
    {
        if (_seeds is null)
        {
            return new Random(Random.Shared.Next());
        }

        lock (_gate)
        {
            return new Random(_seeds.Next());
        }
    }
}
