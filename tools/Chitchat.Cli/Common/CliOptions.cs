using System.CommandLine;
using System.CommandLine.Parsing;
using System.Globalization;
using System.Net;

namespace Chitchat.Cli.Common;

/// <summary>
/// Option factories shared by the commands. Flags use chitchat-test's underscore spelling
/// (<c>--listen_addr</c>); the dashed spelling (<c>--listen-addr</c>) is accepted as an alias.
/// </summary>
internal static class CliOptions
{
    /// <summary>Creates an option named <c>--{name}</c> with the alias <c>--{name with dashes}</c> if they differ.</summary>
    public static Option<T> Create<T>(string name, string description)
    {
        var dashed = name.Replace('_', '-');
        var option = dashed == name
            ? new Option<T>("--" + name)
            : new Option<T>("--" + name, "--" + dashed);
        option.Description = description;
        return option;
    }

    /// <summary>An option holding an IP socket address with a port (<c>127.0.0.1:10000</c>, <c>[::1]:7280</c>).</summary>
    public static Option<IPEndPoint?> SocketAddress(string name, string description)
    {
        var option = Create<IPEndPoint?>(name, description);
        option.HelpName = "ip:port";
        option.CustomParser = ParseSocketAddress;
        return option;
    }

    /// <summary>A positive number of milliseconds.</summary>
    public static Option<int> Milliseconds(string name, string description, int defaultValue)
    {
        var option = Create<int>(name, description);
        option.HelpName = "ms";
        option.DefaultValueFactory = _ => defaultValue;
        option.Validators.Add(result =>
        {
            if (result.GetValueOrDefault<int>() <= 0)
            {
                result.AddError($"{result.IdentifierToken?.Value ?? "--" + name} must be a positive number of milliseconds.");
            }
        });
        return option;
    }

    /// <summary>The protocol version a node starts handshakes in: <c>0</c> (the default) or <c>1</c>.</summary>
    public static Option<ProtocolVersion> ProtocolVersion()
    {
        var option = Create<ProtocolVersion>(
            "protocol_version",
            "The protocol version of the Syns this node starts: 0 (understood by every chitchat) or 1 (compressed digests, chitchat 0.12 and later). Replies always use the version of the message they answer. [default: 0]");
        option.HelpName = "0|1";
        option.DefaultValueFactory = _ => Chitchat.ProtocolVersion.V0;
        option.CustomParser = result =>
        {
            var text = result.Tokens.Count > 0 ? result.Tokens[^1].Value : string.Empty;
            switch (text)
            {
                case "0" or "v0" or "V0":
                    return Chitchat.ProtocolVersion.V0;
                case "1" or "v1" or "V1":
                    return Chitchat.ProtocolVersion.V1;
                default:
                    result.AddError($"--protocol_version: '{text}' is not a protocol version (0 or 1).");
                    return Chitchat.ProtocolVersion.V0;
            }
        };
        return option;
    }

    private static IPEndPoint? ParseSocketAddress(ArgumentResult result)
    {
        var text = result.Tokens.Count > 0 ? result.Tokens[^1].Value : string.Empty;
        if (SocketAddressFormat.TryParse(text, out var endPoint))
        {
            return endPoint;
        }

        var flag = result.Parent is OptionResult option ? option.IdentifierToken?.Value : null;
        result.AddError(string.Format(
            CultureInfo.InvariantCulture,
            "{0}: '{1}' is not an IP socket address with a port (e.g. 127.0.0.1:10000 or [::1]:10000).",
            flag ?? "address",
            text));
        return null;
    }
}
