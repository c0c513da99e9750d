namespace Observatory.DataService.Core.Objects;

/// <summary>
/// Path order by Unicode code point, which is the byte order of UTF-8 and so SQLite's BINARY collation. It differs from
/// <see cref="string.CompareOrdinal(string, string)"/> (UTF-16 units) only where a character above U+FFFF meets one in
/// U+E000–U+FFFF: UTF-16 puts the surrogate pair first, UTF-8 puts it last. A merge with a SQLite range scan needs this order.
/// </summary>
public static class PathOrder
{
    public static int CompareCodePoints(ReadOnlySpan<char> a, ReadOnlySpan<char> b)
    {
        var common = a.CommonPrefixLength(b);
        if (common == a.Length || common == b.Length) return a.Length.CompareTo(b.Length);
        int x = a[common], y = b[common];
        // Surrogates (D800–DFFF) moved above E000–FFFF, the rest unchanged: a unit-by-unit compare in code point order.
        if (x >= 0xD800 && y >= 0xD800)
        {
            x = x >= 0xE000 ? x - 0x800 : x + 0x2000;
            y = y >= 0xE000 ? y - 0x800 : y + 0x2000;
        }
        return x.CompareTo(y);
    }

    public static int CompareCodePoints(string? a, string? b) =>
        a is null || b is null ? string.CompareOrdinal(a, b) : CompareCodePoints(a.AsSpan(), b.AsSpan());
}
