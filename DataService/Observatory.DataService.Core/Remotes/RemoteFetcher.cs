using Observatory.DataService.Core.Objects;
using Observatory.DataService.Core.Ports;
using Observatory.DataService.Core.Store;

namespace Observatory.DataService.Core.Remotes;

/// <summary>
/// Downloads objects into a cache: packed ones by ranged reads of their packs (neighbours merged into one request), the rest
/// one request each. Every object is hashed on its way in (<see cref="ObjectCache.AddVerifiedAsync"/>), so a damaged pack
/// fails naming the object and the remote, and what was stored before a failure or a kill is whole and kept.
/// </summary>
public static class RemoteFetcher
{
    public sealed record Request(IRemoteStore Remote, RemoteCatalog Catalog, ObjectCache Cache, int Jobs, IOperationProgress Progress, TimeProvider Time)
    {
        public PackingOptions Packing { get; init; } = new();
        /// <summary>Called once per object stored by this fetch.</summary>
        public Action<ContentHash>? Stored { get; init; }
        /// <summary>Where to write a second copy of an object in the same pass (a pull's workspace file, staged), or null.</summary>
        public Func<ContentHash, string?>? StagePath { get; init; }
    }

    /// <summary>Fetches the objects of <paramref name="hashes"/> the cache lacks; returns the bytes stored. Progress counts bytes.</summary>
    public static async Task<long> FetchAsync(Request request, IEnumerable<ContentHash> hashes, CancellationToken ct)
    {
        var (remote, catalog, cache) = (request.Remote, request.Catalog, request.Cache);
        var loose = new List<ContentHash>();
        var byPack = new Dictionary<string, (PackIndex Pack, List<PackEntry> Entries)>(StringComparer.Ordinal);
        foreach (var hash in hashes.Distinct())
        {
            if (cache.Contains(hash)) continue;
            if (catalog.TryFindPacked(hash, out var pack, out var entry))
            {
                if (!byPack.TryGetValue(pack.Id, out var list)) byPack[pack.Id] = list = (pack, []);
                list.Entries.Add(entry);
            }
            else loose.Add(hash);
        }
        var work = new List<Func<CancellationToken, Task>>();
        long bytes = 0;
        // Segments first: they carry most objects per request, so the bar moves early and large loose files overlap them.
        foreach (var (pack, entries) in byPack.Values)
            foreach (var segment in PackPlanner.PlanReads(entries, request.Packing))
                work.Add(token => Retry.TransferAsync(c => ReadSegmentAsync(request, pack, segment, n => Interlocked.Add(ref bytes, n), c), request.Time, token));
        foreach (var hash in loose)
            work.Add(async token =>
            {
                await DownloadLooseAsync(remote, cache, hash, remote.DisplayUrl, request.Time, token, request.StagePath);
                var size = cache.SizeOf(hash);
                Interlocked.Add(ref bytes, size);
                request.Stored?.Invoke(hash);
                request.Progress.Advance(size);
            });
        await Parallel.ForEachAsync(work, new ParallelOptions { MaxDegreeOfParallelism = request.Jobs, CancellationToken = ct }, async (item, token) => await item(token));
        return bytes;
    }

    /// <summary>
    /// One loose object into the cache, verified, retried on transient errors; <paramref name="stagePath"/> as in
    /// <see cref="Request.StagePath"/>.
    /// </summary>
    public static Task DownloadLooseAsync(IRemoteStore remote, ObjectCache cache, ContentHash hash, string origin, TimeProvider time, CancellationToken ct,
        Func<ContentHash, string?>? stagePath = null) =>
        Retry.TransferAsync(c => remote.DownloadAsync(hash, (s, c2) => cache.AddVerifiedAsync(s, hash, origin, c2, stagePath?.Invoke(hash)), c), time, ct);

    /// <summary>One ranged read; a retry re-reads only the entries not yet stored.</summary>
    private static async Task ReadSegmentAsync(Request request, PackIndex pack, PackSegment planned, Action<long> addBytes, CancellationToken ct)
    {
        var todo = planned.Entries.Where(e => !request.Cache.Contains(e.Hash)).ToList();
        if (todo.Count == 0) return;
        var segment = new PackSegment(todo);
        var origin = $"{request.Remote.DisplayUrl} (pack {pack.Id[..12]})";
        async Task Consume(Stream stream, CancellationToken c)
        {
            var position = segment.Offset;
            foreach (var e in segment.Entries)
            {
                await SliceStream.SkipAsync(stream, e.Offset - position, c);
                var slice = new SliceStream(stream, e.Length);
                if (request.Cache.Contains(e.Hash))
                {
                    await SliceStream.SkipAsync(slice, e.Length, c); // stored meanwhile by another segment listing the same object
                }
                else
                {
                    await request.Cache.AddVerifiedAsync(slice, e.Hash, origin, c, request.StagePath?.Invoke(e.Hash));
                    addBytes(e.Length);
                    request.Stored?.Invoke(e.Hash);
                    request.Progress.Advance(e.Length);
                }
                position = e.End;
            }
        }
        // Only empty objects: nothing to request (a zero-length range is not expressible in HTTP).
        if (segment.Length == 0) await Consume(Stream.Null, ct);
        else await request.Remote.DownloadPackRangeAsync(pack.Id, segment.Offset, segment.Length, Consume, ct);
    }
}

/// <summary>
/// A read-only window of the next <c>length</c> bytes of a stream. A stream that ends early is a broken transfer (an
/// <see cref="IOException"/>, retried), not a short object (which would only show up as a hash mismatch).
/// </summary>
public sealed class SliceStream(Stream inner, long length) : Stream
{
    private readonly long _length = length;
    private long _remaining = length;

    public override bool CanRead => true;
    public override bool CanSeek => false;
    public override bool CanWrite => false;
    public override long Length => _length;
    public override long Position { get => _length - _remaining; set => throw new NotSupportedException(); }

    public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

    public override int Read(Span<byte> buffer)
    {
        if (_remaining == 0 || buffer.Length == 0) return 0;
        var n = inner.Read(buffer[..(int)Math.Min(buffer.Length, _remaining)]);
        return Took(n);
    }

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        if (_remaining == 0 || buffer.Length == 0) return 0;
        var n = await inner.ReadAsync(buffer[..(int)Math.Min(buffer.Length, _remaining)], cancellationToken);
        return Took(n);
    }

    private int Took(int n)
    {
        if (n == 0) throw new IOException($"the transfer ended {_remaining} byte(s) early");
        _remaining -= n;
        return n;
    }

    /// <summary>Reads and discards <paramref name="count"/> bytes (a gap between wanted objects in a ranged read).</summary>
    public static async Task SkipAsync(Stream stream, long count, CancellationToken ct)
    {
        if (count <= 0) return;
        var buffer = System.Buffers.ArrayPool<byte>.Shared.Rent(81920);
        try
        {
            while (count > 0)
            {
                var n = await stream.ReadAsync(buffer.AsMemory(0, (int)Math.Min(buffer.Length, count)), ct);
                if (n == 0) throw new IOException($"the transfer ended {count} byte(s) early");
                count -= n;
            }
        }
        finally
        {
            System.Buffers.ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    public override void Flush() { }
    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
    public override void SetLength(long value) => throw new NotSupportedException();
    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
}
