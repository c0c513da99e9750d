using System.Security.Cryptography;

namespace Observatory.DataService.Core.Objects;

/// <summary>SHA-256 of an object's content as 64 lowercase hex characters; validated on construction.</summary>
public readonly record struct ContentHash : IComparable<ContentHash>
{
    public const int HexLength = 64;

    public string Hex { get; }

    private ContentHash(string hex) => Hex = hex;

    public static ContentHash Parse(string value)
    {
        if (!TryParse(value, out var hash))
            throw new FormatException($"'{value}' is not a SHA-256 hash (64 lowercase hex characters)");
        return hash;
    }

    public static bool TryParse(string? value, out ContentHash hash)
    {
        hash = default;
        if (value is null || value.Length != HexLength) return false;
        foreach (var c in value)
            if (!(c is >= '0' and <= '9' or >= 'a' and <= 'f')) return false;
        hash = new ContentHash(value);
        return true;
    }

    public static ContentHash FromBytes(ReadOnlySpan<byte> digest) => new(Convert.ToHexStringLower(digest));

    public static ContentHash Compute(ReadOnlySpan<byte> content) => FromBytes(SHA256.HashData(content));

    /// <summary>Folder and file name of the object in any store: <c>ab/cdef…</c>. The only place that layout is written.</summary>
    public string RelativePath => string.Concat(Hex.AsSpan(0, 2), "/", Hex.AsSpan(2));

    /// <summary>The inverse of <see cref="RelativePath"/>, for listings: false for anything that is not exactly <c>ab/cdef…</c>.</summary>
    public static bool TryParseRelativePath(ReadOnlySpan<char> relativePath, out ContentHash hash)
    {
        hash = default;
        if (relativePath.Length != HexLength + 1 || relativePath[2] != '/') return false;
        return TryParse(string.Concat(relativePath[..2], relativePath[3..]), out hash);
    }

    public string Short => Hex[..10];

    public bool IsEmpty => Hex is null;

    public int CompareTo(ContentHash other) => string.CompareOrdinal(Hex, other.Hex);

    public override string ToString() => Hex ?? "";
}
