namespace Chitchat.State;

/// <summary>
/// The limits on key-value state and the running count of what the node holds: per member (keys and bytes) and
/// for every member together (bytes).
/// </summary>
/// <remarks>
/// Bytes are what the strings occupy in memory (UTF-16: two bytes a character, key and value) plus
/// <see cref="EntryOverhead"/> per entry, so that a limit bounds memory whatever the characters are. The own state
/// is checked when the application writes to it (a write beyond a limit throws); a replica is checked when a delta
/// would grow it beyond a limit, and that node delta is then refused (the replica stays as it was). Not
/// thread-safe; used under the node's lock.
/// </remarks>
internal sealed class StateBudget
{
    /// <summary>The bytes an entry costs beyond its strings (dictionary node, versioned value, references).</summary>
    public const int EntryOverhead = 64;

    public StateBudget(int maxKeysPerNode, long maxBytesPerNode, long maxTotalBytes)
    {
        MaxKeysPerNode = maxKeysPerNode;
        MaxBytesPerNode = maxBytesPerNode;
        MaxTotalBytes = maxTotalBytes;
    }

    /// <summary>Gets a budget without limits.</summary>
    public static StateBudget Unlimited => new(int.MaxValue, long.MaxValue, long.MaxValue);

    public int MaxKeysPerNode { get; }

    public long MaxBytesPerNode { get; }

    public long MaxTotalBytes { get; }

    /// <summary>Gets the bytes held by every node state of the node (the own one included).</summary>
    public long TotalBytes { get; private set; }

    /// <summary>The bytes an entry costs.</summary>
    public static long SizeOf(string key, string value) => (2L * (key.Length + value.Length)) + EntryOverhead;

    public void Add(long bytes) => TotalBytes += bytes;
}
