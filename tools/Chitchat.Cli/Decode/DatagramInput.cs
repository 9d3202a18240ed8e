using System.Diagnostics.CodeAnalysis;

namespace Chitchat.Cli.Decode;

/// <summary>Reads the datagram to decode from hex text or raw bytes.</summary>
internal static class DatagramInput
{
    /// <summary>
    /// Parses hex text: pairs of hex digits, optionally prefixed by <c>0x</c>, with any whitespace between
    /// bytes (so <c>53b00003</c> and <c>53 b0 00 03</c> both work).
    /// </summary>
    public static bool TryParseHex(string text, [NotNullWhen(true)] out byte[]? bytes, [NotNullWhen(false)] out string? error)
    {
        bytes = null;
        var digits = new List<char>(text.Length);
        var span = text.AsSpan().Trim();
        if (span.StartsWith("0x", StringComparison.OrdinalIgnoreCase))
        {
            span = span[2..];
        }

        foreach (var c in span)
        {
            if (char.IsWhiteSpace(c))
            {
                continue;
            }

            if (!char.IsAsciiHexDigit(c))
            {
                error = $"'{c}' is not a hex digit";
                return false;
            }

            digits.Add(c);
        }

        if (digits.Count == 0)
        {
            error = "no hex digits";
            return false;
        }

        if (digits.Count % 2 != 0)
        {
            error = $"odd number of hex digits ({digits.Count})";
            return false;
        }

        bytes = Convert.FromHexString(new string([.. digits]));
        error = null;
        return true;
    }

    /// <summary>
    /// Interprets bytes read from standard input: hex text if every byte is a hex digit or whitespace (as
    /// typed or piped from <c>echo</c>), the datagram itself otherwise. A datagram always starts with the
    /// magic bytes <c>53 b0</c>, which are not text, so the two cannot be confused.
    /// </summary>
    public static bool TryInterpretStdin(byte[] input, [NotNullWhen(true)] out byte[]? bytes, [NotNullWhen(false)] out string? error)
    {
        var looksLikeHex = input.Length > 0 && input.All(b => b < 0x80 && (char.IsAsciiHexDigit((char)b) || char.IsWhiteSpace((char)b) || b is (byte)'x' or (byte)'X'));
        if (looksLikeHex)
        {
            return TryParseHex(System.Text.Encoding.ASCII.GetString(input), out bytes, out error);
        }

        bytes = input;
        error = null;
        return true;
    }
}
