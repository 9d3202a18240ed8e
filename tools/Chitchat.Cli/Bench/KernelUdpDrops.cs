using System.Globalization;

namespace Chitchat.Cli.Bench;

/// <summary>
/// Datagrams the operating system dropped before this process read them: on Linux, the <c>drops</c> column of
/// <c>/proc/net/udp</c> and <c>/proc/net/udp6</c> (a full receive buffer, mostly), summed over the UDP sockets this
/// process has open.
/// </summary>
/// <remarks>
/// The counters belong to the sockets, so read them before the sockets are closed. Elsewhere than Linux (or without
/// <c>/proc</c>) the figure is unknown and <see cref="TryRead"/> returns <see langword="false"/>.
/// </remarks>
internal static class KernelUdpDrops
{
    /// <summary>Sums the kernel drops of this process's open UDP sockets.</summary>
    /// <param name="drops">The sum.</param>
    /// <returns>Whether the figure could be read.</returns>
    public static bool TryRead(out long drops)
    {
        drops = 0;
        if (!OperatingSystem.IsLinux() || !Directory.Exists("/proc/self/fd"))
        {
            return false;
        }

        try
        {
            var inodes = OwnSocketInodes();
            foreach (var table in (ReadOnlySpan<string>)["/proc/net/udp", "/proc/net/udp6"])
            {
                if (File.Exists(table))
                {
                    drops += SumDrops(File.ReadLines(table), inodes);
                }
            }

            return true;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return false;
        }
    }

    /// <summary>Sums the <c>drops</c> column of the rows of a <c>/proc/net/udp</c> table whose inode is in <paramref name="inodes"/>.</summary>
    internal static long SumDrops(IEnumerable<string> lines, IReadOnlySet<long> inodes)
    {
        long drops = 0;
        foreach (var line in lines.Skip(1))
        {
            // sl local rem st tx:rx tr:when retrnsmt uid timeout inode ref pointer drops
            var fields = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
            if (fields.Length >= 13
                && long.TryParse(fields[9], NumberStyles.None, CultureInfo.InvariantCulture, out var inode)
                && inodes.Contains(inode)
                && long.TryParse(fields[12], NumberStyles.None, CultureInfo.InvariantCulture, out var rowDrops))
            {
                drops += rowDrops;
            }
        }

        return drops;
    }

    private static HashSet<long> OwnSocketInodes()
    {
        var inodes = new HashSet<long>();
        foreach (var fd in Directory.EnumerateFileSystemEntries("/proc/self/fd"))
        {
            // A socket's link reads "socket:[inode]"; a descriptor closed meanwhile has no target.
            if (new FileInfo(fd).LinkTarget is { } target
                && target.StartsWith("socket:[", StringComparison.Ordinal)
                && long.TryParse(target.AsSpan(8, target.Length - 9), NumberStyles.None, CultureInfo.InvariantCulture, out var inode))
            {
                inodes.Add(inode);
            }
        }

        return inodes;
    }
}
