using System.Buffers.Binary;
using System.Security.Cryptography;

namespace Observatory.DataService.Core.Objects;

/// <summary>SHA-256 of an object's content as 64 lowercase hex characters; validated on construction.</summary>
public readonly record struct ContentHash : IComparable<ContentHash>
{
    public const int HexLength = 64;

    // The digest as four big-endian words rather than its hex string: status and add hold one hash per file, and at a million
    // files a 64-char string each is ~150 MB where these 32 bytes are ~32 MB. Big-endian so comparing the words in order is
    // comparing the hex ordinally. _set tells default(ContentHash) (no hash) from a digest of zeros.
    private readonly ulong _a, _b, _c, _d;
    private readonly bool _set;

    /// <summary>The 64 lowercase hex characters (null for <c>default</c>); built on each call, so hot loops use <see cref="FormatHex"/>.</summary>
    public string Hex
    {
        get
        {
            if (!_set) return null!;
            Span<char> chars = stackalloc char[HexLength];
            FormatHex(chars);
            return new string(chars);
        }
    }

    private ContentHash(ReadOnlySpan<byte> digest)
    {
        _a = BinaryPrimitives.ReadUInt64BigEndian(digest);
        _b = BinaryPrimitives.ReadUInt64BigEndian(digest[8..]);
        _c = BinaryPrimitives.ReadUInt64BigEndian(digest[16..]);
        _d = BinaryPrimitives.ReadUInt64BigEndian(digest[24..]);
        _set = true;
    }

    public static ContentHash Parse(string value)
    {
        if (!TryParse(value, out var hash))
            throw new FormatException($"'{value}' is not a SHA-256 hash (64 lowercase hex characters)");
        return hash;
    }

    public static bool TryParse(string? value, out ContentHash hash) => TryParse(value.AsSpan(), out hash);

    /// <summary>As <see cref="TryParse(string?, out ContentHash)"/>, for callers that read the hex without making a string of it.</summary>
    public static bool TryParse(ReadOnlySpan<char> value, out ContentHash hash)
    {
        hash = default;
        if (value.Length != HexLength) return false;
        foreach (var c in value)
            if (!(c is >= '0' and <= '9' or >= 'a' and <= 'f')) return false;
        Span<byte> digest = stackalloc byte[32];
        Convert.FromHexString(value, digest, out _, out _);
        hash = new ContentHash(digest);
        return true;
    }

    public static ContentHash FromBytes(ReadOnlySpan<byte> digest)
    {
        if (digest.Length != 32) throw new ArgumentException($"a SHA-256 digest is 32 bytes, not {digest.Length}", nameof(digest));
        return new ContentHash(digest);
    }

    public static ContentHash Compute(ReadOnlySpan<byte> content) => FromBytes(SHA256.HashData(content));

    /// <summary>Writes the 64 lowercase hex characters into <paramref name="destination"/> without allocating.</summary>
    public void FormatHex(Span<char> destination)
    {
        if (destination.Length < HexLength) throw new ArgumentException($"needs {HexLength} characters", nameof(destination));
        Span<byte> digest = stackalloc byte[32];
        BinaryPrimitives.WriteUInt64BigEndian(digest, _a);
        BinaryPrimitives.WriteUInt64BigEndian(digest[8..], _b);
        BinaryPrimitives.WriteUInt64BigEndian(digest[16..], _c);
        BinaryPrimitives.WriteUInt64BigEndian(digest[24..], _d);
        Convert.TryToHexStringLower(digest, destination, out _);
    }

    /// <summary>Folder and file name of the object in any store: <c>ab/cdef…</c>. The only place that layout is written.</summary>
    public string RelativePath
    {
        get
        {
            if (!_set) throw new InvalidOperationException("default(ContentHash) names no object");
            Span<char> chars = stackalloc char[HexLength + 1];
            FormatHex(chars[1..]);
            chars[0] = chars[1];
            chars[1] = chars[2];
            chars[2] = '/';
            return new string(chars);
        }
    }

    /// <summary>The inverse of <see cref="RelativePath"/>, for listings: false for anything that is not exactly <c>ab/cdef…</c>.</summary>
    public static bool TryParseRelativePath(ReadOnlySpan<char> relativePath, out ContentHash hash)
    {
        hash = default;
        if (relativePath.Length != HexLength + 1 || relativePath[2] != '/') return false;
        Span<char> hex = stackalloc char[HexLength];
        relativePath[..2].CopyTo(hex);
        relativePath[3..].CopyTo(hex[2..]);
        return TryParse(hex, out hash);
    }

    public string Short => Hex[..10];

    public bool IsEmpty => !_set;

    public int CompareTo(ContentHash other)
    {
        // As the old ordinal compare of the hex strings, where default (null) came first.
        if (_set != other._set) return _set ? 1 : -1;
        var c = _a.CompareTo(other._a);
        if (c == 0) c = _b.CompareTo(other._b);
        if (c == 0) c = _c.CompareTo(other._c);
        if (c == 0) c = _d.CompareTo(other._d);
        return c;
    }

    public override string ToString() => Hex ?? "";
}
