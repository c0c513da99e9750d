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

    /// <summary>Folder and file name of the object in any store: <c>ab/cdef…</c>.</summary>
    public string RelativePath => $"{Hex[..2]}/{Hex[2..]}";

    public string Short => Hex[..10];

    public bool IsEmpty => Hex is null;

    public int CompareTo(ContentHash other) => string.CompareOrdinal(Hex, other.Hex);

    public override string ToString() => Hex ?? "";
}
