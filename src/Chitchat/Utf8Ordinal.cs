namespace Chitchat;

/// <summary>
/// Compares strings in the byte order of their UTF-8 encodings, which is the order Rust uses for
/// <c>String</c> keys (and therefore the order of keys and node ids on the wire).
/// </summary>
/// <remarks>
/// UTF-16 ordinal order differs from UTF-8 byte order only when a surrogate (a code point above U+FFFF)
/// is compared with a code unit in U+E000–U+FFFF. The fix-up below shifts surrogates above that range,
/// which gives UTF-8 order without encoding the strings.
/// </remarks>
internal sealed class Utf8Ordinal : IComparer<string>
{
    public static readonly Utf8Ordinal Instance = new();

    private Utf8Ordinal()
    {
    }

    public int Compare(string? x, string? y)
    {
        if (ReferenceEquals(x, y))
        {
            return 0;
        }

        if (x is null)
        {
            return -1;
        }

        if (y is null)
        {
            return 1;
        }

        return CompareSpans(x, y);
    }

    public static int CompareSpans(ReadOnlySpan<char> x, ReadOnlySpan<char> y)
    {
        var mismatch = x.CommonPrefixLength(y);
        if (mismatch == x.Length || mismatch == y.Length)
        {
            return x.Length.CompareTo(y.Length);
        }

        return Fixup(x[mismatch]).CompareTo(Fixup(y[mismatch]));
    }

    private static int Fixup(char c)
    {
        // Surrogates (D800–DFFF) encode code points above U+FFFF, whose UTF-8 encodings sort after
        // every BMP character; move them above U+FFFF. E000–FFFF moves down to make room.
        if (c >= 0xD800)
        {
            return c >= 0xE000 ? c - 0x800 : c + 0x2000;
        }

        return c;
    }
}
