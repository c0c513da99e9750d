using System.Buffers.Binary;
using System.Security.Cryptography;
using System.Text;

namespace Observatory.Monitoring.Core.Events;

/// <summary>
/// Each event's stored sampling key: the first 8 bytes of SHA-256 of its UTF-8 id, big-endian, made non-negative. Ordering a
/// window by this key and taking the first N is a uniform sample without replacement that the database can take from an index,
/// without reading the rows it leaves out. The key depends on the id alone, so the same window always gives the same sample, a
/// larger sample contains every smaller one, and neither time of arrival nor any measured field decides what is sampled.
/// PostgreSQL computes the same value in SQL when a migration fills the keys of rows stored before them
/// (<c>('x' || left(encode(sha256(convert_to(id, 'UTF8')), 'hex'), 16))::bit(64)::bigint &amp; 9223372036854775807</c>).
/// </summary>
public static class SampleKey
{
    public static long Of(string id)
    {
        ArgumentNullException.ThrowIfNull(id);
        var byteCount = Encoding.UTF8.GetByteCount(id);
        // Ids are bounded by validation (hundreds of bytes at most); the stack buffer only avoids an allocation per event.
        Span<byte> utf8 = byteCount <= 512 ? stackalloc byte[byteCount] : new byte[byteCount];
        Encoding.UTF8.GetBytes(id, utf8);
        Span<byte> hash = stackalloc byte[32];
        SHA256.HashData(utf8, hash);
        return BinaryPrimitives.ReadInt64BigEndian(hash) & long.MaxValue;
    }
}
