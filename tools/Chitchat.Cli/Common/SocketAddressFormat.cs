using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using System.Net;
using System.Net.Sockets;

namespace Chitchat.Cli.Common;

/// <summary>
/// Parses and prints socket addresses the way Rust's <c>SocketAddr</c> does (<c>127.0.0.1:10000</c>,
/// <c>[::1]:7280</c>), so that the JSON of a .NET node reads like the JSON of a Rust chitchat-test node.
/// </summary>
internal static class SocketAddressFormat
{
    /// <summary>Formats <paramref name="endPoint"/> as <c>ip:port</c>, with IPv6 addresses in brackets.</summary>
    public static string Format(IPEndPoint endPoint)
    {
        ArgumentNullException.ThrowIfNull(endPoint);
        var port = endPoint.Port.ToString(CultureInfo.InvariantCulture);
        return endPoint.AddressFamily == AddressFamily.InterNetworkV6
            ? $"[{endPoint.Address}]:{port}"
            : $"{endPoint.Address}:{port}";
    }

    /// <summary>
    /// Parses an IP socket address with an explicit port: <c>1.2.3.4:80</c> or <c>[::1]:80</c>. Unlike
    /// <see cref="IPEndPoint.TryParse(string, out IPEndPoint)"/>, a missing port is an error (as in Rust).
    /// </summary>
    public static bool TryParse(string? text, [NotNullWhen(true)] out IPEndPoint? endPoint)
    {
        endPoint = null;
        if (string.IsNullOrWhiteSpace(text))
        {
            return false;
        }

        text = text.Trim();
        string host;
        string port;
        if (text.StartsWith('['))
        {
            var close = text.IndexOf("]:", StringComparison.Ordinal);
            if (close < 0)
            {
                return false;
            }

            host = text[1..close];
            port = text[(close + 2)..];
            if (!IPAddress.TryParse(host, out var v6) || v6.AddressFamily != AddressFamily.InterNetworkV6)
            {
                return false;
            }

            return TryMake(v6, port, out endPoint);
        }

        var colon = text.LastIndexOf(':');
        if (colon <= 0 || text.IndexOf(':') != colon)
        {
            return false;
        }

        host = text[..colon];
        port = text[(colon + 1)..];
        if (!IPAddress.TryParse(host, out var v4) || v4.AddressFamily != AddressFamily.InterNetwork
            || host.Count(c => c == '.') != 3)
        {
            return false;
        }

        return TryMake(v4, port, out endPoint);
    }

    private static bool TryMake(IPAddress address, string port, [NotNullWhen(true)] out IPEndPoint? endPoint)
    {
        endPoint = null;
        if (port.Length == 0 || !port.All(char.IsAsciiDigit)
            || !ushort.TryParse(port, NumberStyles.None, CultureInfo.InvariantCulture, out var value))
        {
            return false;
        }

        endPoint = new IPEndPoint(address, value);
        return true;
    }
}
