using System.Buffers.Binary;
using System.Security.Cryptography;
using System.Text;
using Observatory.DataService.Core.Objects;

namespace Observatory.DataService.Core.Workspace;

/// <summary>
/// SHA-256 of a listing's stamps (each path, NUL, size and mtime, in order): equal digests mean the same files with the same
/// sizes and times, which by the stat cache's rule means the same contents.
/// </summary>
internal sealed class StampDigest
{
    private readonly IncrementalHash _hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
    // Appended in blocks: one AppendData per file is a measurable part of a million-file status.
    private readonly byte[] _buffer = new byte[1 << 16];
    private int _used;

    public StampDigest() => _hash.AppendData("obs-stamps-1\n"u8);

    public void Add(string path, long size, long mtimeTicks)
    {
        var needed = Encoding.UTF8.GetMaxByteCount(path.Length) + 17;
        if (_used + needed > _buffer.Length) Drain();
        if (needed > _buffer.Length)
        {
            _hash.AppendData(Encoding.UTF8.GetBytes(path));
            Span<byte> tail = stackalloc byte[17];
            WriteTail(tail, size, mtimeTicks);
            _hash.AppendData(tail);
            return;
        }
        _used += Encoding.UTF8.GetBytes(path, _buffer.AsSpan(_used));
        WriteTail(_buffer.AsSpan(_used, 17), size, mtimeTicks);
        _used += 17;
    }

    private static void WriteTail(Span<byte> tail, long size, long mtimeTicks)
    {
        tail[0] = 0;
        BinaryPrimitives.WriteInt64LittleEndian(tail[1..], size);
        BinaryPrimitives.WriteInt64LittleEndian(tail[9..], mtimeTicks);
    }

    private void Drain()
    {
        _hash.AppendData(_buffer, 0, _used);
        _used = 0;
    }

    public ContentHash Finish()
    {
        Drain();
        var result = ContentHash.FromBytes(_hash.GetHashAndReset());
        _hash.Dispose();
        return result;
    }
}
