namespace Chitchat.NetnsTests;

/// <summary>
/// A fact that needs network namespaces: skipped, with the reason, where they cannot be created (not root, or no
/// <c>ip</c>, <c>nft</c>, <c>dnsmasq</c>). Never skipped in CI (<c>CI=true</c>), where a missing prerequisite fails
/// the test instead, so that a CI run cannot turn green by not running the suite.
/// </summary>
[AttributeUsage(AttributeTargets.Method)]
public sealed class NetnsFactAttribute : FactAttribute
{
    public NetnsFactAttribute()
    {
        if (NetnsSupport.MissingPrerequisite() is { } missing
            && !string.Equals(Environment.GetEnvironmentVariable("CI"), "true", StringComparison.OrdinalIgnoreCase))
        {
            Skip = $"network namespaces unavailable: {missing} (these tests run as root on Linux with iproute2, nftables and dnsmasq)";
        }
    }
}

/// <summary>What the namespace tests need from the machine.</summary>
internal static class NetnsSupport
{
    /// <summary>Returns what is missing, or null when everything is there.</summary>
    public static string? MissingPrerequisite()
    {
        if (!OperatingSystem.IsLinux())
        {
            return "not Linux";
        }

        if (!NativeMethods.IsRoot)
        {
            return "not running as root";
        }

        foreach (var tool in new[] { "ip", "nft", "dnsmasq", "bash" })
        {
            if (FindOnPath(tool) is null)
            {
                return $"'{tool}' not found";
            }
        }

        return null;
    }

    private static string? FindOnPath(string tool)
    {
        var path = (Environment.GetEnvironmentVariable("PATH") ?? string.Empty) + ":/usr/sbin:/sbin:/usr/bin:/bin";
        return path.Split(':', StringSplitOptions.RemoveEmptyEntries)
            .Select(directory => Path.Combine(directory, tool))
            .FirstOrDefault(File.Exists);
    }
}
