using System.Security.Cryptography;
using Observatory.DataService.Core.Errors;
using Observatory.DataService.Core.Objects;

namespace Observatory.DataService.Core.Queries;

/// <summary>
/// Reads an object while hashing it and throws at the end when the bytes do not match the expected hash, so a corrupt cache
/// file is never served as complete (the HTTP response is aborted instead of ending normally).
/// </summary>
public sealed class VerifyingStream(Stream inner, ContentHash expected) : Stream
{
    private readonly IncrementalHash _sha = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
    private bool _checked;

    public override bool CanRead => true;
    public override bool CanSeek => false;
    public override bool CanWrite => false;
    public override long Length => inner.Length;
    public override long Position { get => inner.Position; set => throw new NotSupportedException(); }

    public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

    public override int Read(Span<byte> buffer)
    {
        var n = inner.Read(buffer);
        return Account(buffer[..n], n);
    }

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        var n = await inner.ReadAsync(buffer, cancellationToken);
        return Account(buffer.Span[..n], n);
    }

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    private int Account(ReadOnlySpan<byte> data, int n)
    {
        if (n > 0) { _sha.AppendData(data); return n; }
        if (!_checked)
        {
            _checked = true;
            var actual = ContentHash.FromBytes(_sha.GetHashAndReset());
            if (actual != expected)
                throw new DataCheckException($"object {expected.Hex} is corrupt in the cache (its content hashes to {actual.Short}); delete it and run 'obs fetch', or re-add its dataset");
        }
        return 0;
    }

    public override void Flush() { }
    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
    public override void SetLength(long value) => throw new NotSupportedException();
    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

    protected override void Dispose(bool disposing)
    {
        if (disposing) { inner.Dispose(); _sha.Dispose(); }
        base.Dispose(disposing);
    }
}
