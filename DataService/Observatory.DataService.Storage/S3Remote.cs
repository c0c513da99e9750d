using Minio;
using Minio.DataModel.Args;
using Minio.Exceptions;
using Observatory.DataService.Core.Errors;
using Observatory.DataService.Core.Objects;
using Observatory.DataService.Core.Ports;
using Observatory.DataService.Core.Remotes;

namespace Observatory.DataService.Storage;

/// <summary>Where an S3 remote is and how to sign: credentials never reach <see cref="ToString"/> or any message.</summary>
public sealed record S3Settings(string Bucket, string Prefix, string Endpoint, bool UseSsl, string Region, string AccessKey, string SecretKey)
{
    public override string ToString() => $"s3://{Bucket}/{Prefix}";
}

/// <summary>
/// An S3 / MinIO remote through the Minio SDK: one client (one connection pool) shared by all concurrent transfers, listing
/// for existence checks, streamed uploads (the SDK switches to multipart above 5 MiB, so memory stays bounded).
/// </summary>
public sealed class S3Remote : IRemoteStore, IPresignedDownloads
{
    /// <summary>S3 allows a single PUT up to 5 GiB; larger objects go through the SDK's multipart upload.</summary>
    private const long SinglePutLimit = 5L << 30;

    private readonly IMinioClient _client;
    private readonly S3Settings _settings;
    private readonly string _objectsPrefix;
    private readonly string _packsPrefix;
    // Object bytes travel over presigned URLs on one pooled HttpClient: the SDK's GetObject adds a HEAD per object and, in
    // 7.0, serialised concurrent downloads here (~40 ms each); its PutObject buffers multipart parts in memory.
    private readonly HttpClient _http = new(new SocketsHttpHandler
    {
        PooledConnectionLifetime = TimeSpan.FromMinutes(5),
        MaxConnectionsPerServer = 64,
        ConnectTimeout = TimeSpan.FromSeconds(10),
    })
    { Timeout = Timeout.InfiniteTimeSpan };

    public S3Remote(S3Settings settings)
    {
        _settings = settings;
        var endpoint = new Uri(settings.Endpoint.Contains("://", StringComparison.Ordinal) ? settings.Endpoint : (settings.UseSsl ? "https://" : "http://") + settings.Endpoint);
        _client = new MinioClient()
            .WithEndpoint(endpoint.Host, endpoint.Port)
            .WithCredentials(settings.AccessKey, settings.SecretKey)
            .WithSSL(endpoint.Scheme == "https")
            .WithRegion(settings.Region)
            .WithTimeout(60_000)
            .Build();
        var root = settings.Prefix.Length == 0 ? "" : settings.Prefix.TrimEnd('/') + "/";
        _objectsPrefix = root + "objects/";
        _packsPrefix = root + "packs/";
        DisplayUrl = $"s3://{settings.Bucket}/{settings.Prefix.TrimEnd('/')} ({endpoint.GetLeftPart(UriPartial.Authority)})";
    }

    public string DisplayUrl { get; }

    public async Task<IReadOnlySet<ContentHash>> ListAsync(CancellationToken ct)
    {
        var set = new HashSet<ContentHash>();
        await Guard(async () =>
        {
            await EnsureBucketAsync(ct);
            var args = new ListObjectsArgs().WithBucket(_settings.Bucket).WithPrefix(_objectsPrefix).WithRecursive(true);
            await foreach (var item in _client.ListObjectsEnumAsync(args, ct))
            {
                if (ContentHash.TryParseRelativePath(item.Key.AsSpan(_objectsPrefix.Length), out var h)) set.Add(h);
            }
            return 0;
        }, "list objects");
        return set;
    }

    public async Task<IReadOnlyDictionary<ContentHash, DateTimeOffset>> ListWrittenAsync(CancellationToken ct)
    {
        var result = new Dictionary<ContentHash, DateTimeOffset>();
        await Guard(async () =>
        {
            await EnsureBucketAsync(ct);
            var args = new ListObjectsArgs().WithBucket(_settings.Bucket).WithPrefix(_objectsPrefix).WithRecursive(true);
            await foreach (var item in _client.ListObjectsEnumAsync(args, ct))
                if (ContentHash.TryParseRelativePath(item.Key.AsSpan(_objectsPrefix.Length), out var h)) result[h] = Written(item);
            return 0;
        }, "list objects");
        return result;
    }

    /// <summary>An object without a modification time counts as written now, so gc never takes it for old.</summary>
    private static DateTimeOffset Written(Minio.DataModel.Item item) =>
        item.LastModifiedDateTime is { } t ? new DateTimeOffset(DateTime.SpecifyKind(t, DateTimeKind.Utc)) : DateTimeOffset.MaxValue;

    public async Task UploadAsync(ContentHash hash, string localPath, long size, CancellationToken ct)
    {
        if (size < SinglePutLimit)
        {
            await Guard(async () =>
            {
                var url = await Presign(Key(hash), put: true);
                await using var stream = UploadSource.Open(new PackPart(localPath, size, hash));
                using var content = new StreamContent(stream, 1 << 16);
                content.Headers.ContentLength = size;
                content.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue("application/octet-stream");
                using var response = await _http.PutAsync(url, content, ct);
                await EnsureSuccessAsync(response, "upload " + hash.Short, null, ct);
                return 0;
            }, "upload " + hash.Short);
            return;
        }
        await Guard(async () =>
        {
            await using var stream = new FileStream(localPath, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16, FileOptions.SequentialScan);
            var args = new PutObjectArgs().WithBucket(_settings.Bucket).WithObject(Key(hash)).WithStreamData(stream).WithObjectSize(size)
                .WithContentType("application/octet-stream");
            return await _client.PutObjectAsync(args, ct);
        }, "upload " + hash.Short);
    }

    public async Task DownloadAsync(ContentHash hash, Func<Stream, CancellationToken, Task> consume, CancellationToken ct)
    {
        var notFound = $"object {hash.Hex} is missing on remote {DisplayUrl}; push it from a machine that has it";
        await Guard(async () =>
        {
            var url = await Presign(Key(hash), put: false);
            using var response = await _http.GetAsync(url, HttpCompletionOption.ResponseHeadersRead, ct);
            await EnsureSuccessAsync(response, "download " + hash.Short, notFound, ct);
            await using var body = await response.Content.ReadAsStreamAsync(ct);
            await consume(body, ct);
            return 0;
        }, "download " + hash.Short, notFound);
    }

    /// <summary>Maps an HTTP status of a presigned request: 404 is final, 5xx and 429 are retried, other errors are final.</summary>
    private async Task EnsureSuccessAsync(HttpResponseMessage response, string what, string? notFound, CancellationToken ct)
    {
        if (response.IsSuccessStatusCode) return;
        var code = (int)response.StatusCode;
        string detail;
        try { detail = (await response.Content.ReadAsStringAsync(ct)).Trim(); } catch (HttpRequestException) { detail = ""; }
        var s3Code = System.Text.RegularExpressions.Regex.Match(detail, "<Code>([^<]+)</Code>").Groups[1].Value;
        if (code == 404) throw new StoreException(notFound ?? $"{what}: not found on {DisplayUrl}");
        if (code is 401 or 403)
            throw new StoreException($"remote {DisplayUrl} refused the credentials during {what} ({code} {s3Code}); check access_key/secret_key in .obs/config.local or OBS_S3_*/AWS_* variables");
        if (code >= 500 || code == 429) throw new RemoteTransientException($"remote {DisplayUrl} failed during {what}: HTTP {code} {s3Code}");
        throw new StoreException($"remote {DisplayUrl} failed during {what}: HTTP {code} {s3Code}");
    }

    public async Task DeleteAsync(ContentHash hash, CancellationToken ct)
    {
        await Guard(async () => { await _client.RemoveObjectAsync(new RemoveObjectArgs().WithBucket(_settings.Bucket).WithObject(Key(hash)), ct); return 0; }, "delete " + hash.Short);
    }

    public async Task<PackListing> ListPacksAsync(CancellationToken ct)
    {
        var indexed = new HashSet<string>(StringComparer.Ordinal);
        var data = new HashSet<string>(StringComparer.Ordinal);
        var written = new Dictionary<string, DateTimeOffset>(StringComparer.Ordinal);
        await Guard(async () =>
        {
            await EnsureBucketAsync(ct);
            var args = new ListObjectsArgs().WithBucket(_settings.Bucket).WithPrefix(_packsPrefix).WithRecursive(true);
            await foreach (var item in _client.ListObjectsEnumAsync(args, ct))
            {
                var name = item.Key[_packsPrefix.Length..];
                var id = Path.GetFileNameWithoutExtension(name);
                if (!PackIndex.IsValidId(id)) continue;
                if (name.EndsWith(".idx", StringComparison.Ordinal)) indexed.Add(id);
                else if (name.EndsWith(".pack", StringComparison.Ordinal)) data.Add(id);
                else continue;
                var at = Written(item);
                written[id] = written.TryGetValue(id, out var other) && other > at ? other : at;
            }
            return 0;
        }, "list packs");
        return new PackListing(indexed, data, written);
    }

    public async Task UploadPackAsync(string id, IReadOnlyList<PackPart> parts, ReadOnlyMemory<byte> index, CancellationToken ct)
    {
        var length = parts.Sum(p => p.Size);
        if (length >= SinglePutLimit) throw new StoreException($"pack {id} is {length} bytes; packs must stay below 5 GiB (lower pack_size)");
        var what = "upload pack " + id[..12];
        await Guard(async () =>
        {
            var url = await Presign(PackKey(id, ".pack"), put: true);
            using var content = new ConcatenatedFilesContent(parts);
            content.Headers.ContentLength = length;
            content.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue("application/octet-stream");
            using var response = await _http.PutAsync(url, content, ct);
            await EnsureSuccessAsync(response, what, null, ct);
            return 0;
        }, what);
        // The index is the commit point: written only after the data is complete.
        await Guard(async () =>
        {
            var url = await Presign(PackKey(id, ".idx"), put: true);
            using var content = new ReadOnlyMemoryContent(index);
            content.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue("text/plain");
            using var response = await _http.PutAsync(url, content, ct);
            await EnsureSuccessAsync(response, what, null, ct);
            return 0;
        }, what);
    }

    public async Task<byte[]> ReadPackIndexAsync(string id, CancellationToken ct)
    {
        var what = "read pack index " + id[..12];
        return await Guard(async () =>
        {
            var url = await Presign(PackKey(id, ".idx"), put: false);
            using var response = await _http.GetAsync(url, ct);
            await EnsureSuccessAsync(response, what, $"pack index {id} is missing on remote {DisplayUrl}", ct);
            return await response.Content.ReadAsByteArrayAsync(ct);
        }, what);
    }

    public async Task DownloadPackRangeAsync(string id, long offset, long length, Func<Stream, CancellationToken, Task> consume, CancellationToken ct)
    {
        var what = "download from pack " + id[..12];
        await Guard(async () =>
        {
            var url = await Presign(PackKey(id, ".pack"), put: false);
            using var message = new HttpRequestMessage(HttpMethod.Get, url);
            message.Headers.Range = new System.Net.Http.Headers.RangeHeaderValue(offset, offset + length - 1);
            using var response = await _http.SendAsync(message, HttpCompletionOption.ResponseHeadersRead, ct);
            await EnsureSuccessAsync(response, what, $"pack {id} is missing on remote {DisplayUrl}; its index is there, so the remote was changed behind obs' back", ct);
            await using var body = await response.Content.ReadAsStreamAsync(ct);
            // A server that ignores Range answers 200 with the whole pack: skip to the wanted bytes.
            if (response.StatusCode != System.Net.HttpStatusCode.PartialContent) await SliceStream.SkipAsync(body, offset, ct);
            await consume(new SliceStream(body, length), ct);
            return 0;
        }, what);
    }

    public async Task DeletePackAsync(string id, CancellationToken ct)
    {
        foreach (var extension in new[] { ".idx", ".pack" })
            await Guard(async () => { await _client.RemoveObjectAsync(new RemoveObjectArgs().WithBucket(_settings.Bucket).WithObject(PackKey(id, extension)), ct); return 0; }, "delete pack " + id[..12]);
    }

    public async Task<Uri> PresignDownloadAsync(ContentHash hash, TimeSpan expiry, CancellationToken ct)
    {
        // S3 accepts 1 second to 7 days (SigV4).
        var seconds = (int)Math.Clamp(expiry.TotalSeconds, 1, 7 * 24 * 3600);
        var url = await Guard(async () => await _client.PresignedGetObjectAsync(
            new PresignedGetObjectArgs().WithBucket(_settings.Bucket).WithObject(Key(hash)).WithExpiry(seconds)), "presign " + hash.Short);
        return new Uri(url);
    }

    private async Task<string> Presign(string key, bool put) => put
        ? await _client.PresignedPutObjectAsync(new PresignedPutObjectArgs().WithBucket(_settings.Bucket).WithObject(key).WithExpiry(3600))
        : await _client.PresignedGetObjectAsync(new PresignedGetObjectArgs().WithBucket(_settings.Bucket).WithObject(key).WithExpiry(3600));

    private string PackKey(string id, string extension) =>
        PackIndex.IsValidId(id) ? _packsPrefix + id + extension : throw new StoreException($"'{id}' is not a pack id");

    private bool _bucketChecked;

    private async Task EnsureBucketAsync(CancellationToken ct)
    {
        if (_bucketChecked) return;
        if (!await _client.BucketExistsAsync(new BucketExistsArgs().WithBucket(_settings.Bucket), ct))
            throw new StoreException($"bucket '{_settings.Bucket}' does not exist at {DisplayUrl}; create it first");
        _bucketChecked = true;
    }

    private string Key(ContentHash hash) => _objectsPrefix + hash.RelativePath;

    /// <summary>Maps SDK and network failures to transient (retried) or final errors that name the remote, never its credentials.</summary>
    private async Task<T> Guard<T>(Func<Task<T>> action, string what, string? notFound = null)
    {
        try
        {
            return await action();
        }
        catch (Exception ex) when (UploadSource.Corruption(ex) is { } corrupt)
        {
            throw corrupt;
        }
        catch (ObjectNotFoundException ex)
        {
            throw new StoreException(notFound ?? $"{what}: not found on {DisplayUrl}", ex);
        }
        catch (Exception ex) when (ex is AuthorizationException or AccessDeniedException or ForbiddenException)
        {
            throw new StoreException($"remote {DisplayUrl} refused the credentials ({ex.GetType().Name}); check access_key/secret_key in .obs/config.local or OBS_S3_*/AWS_* variables");
        }
        catch (Exception ex) when (ex is ConnectionException or HttpRequestException or IOException or TaskCanceledException { InnerException: TimeoutException } or InternalClientException or InternalServerException or UnexpectedShortReadException)
        {
            throw new RemoteTransientException($"remote {DisplayUrl} is unreachable or failed during {what}: {Describe(ex)}", ex);
        }
        catch (BucketNotFoundException ex)
        {
            throw new StoreException($"bucket '{_settings.Bucket}' does not exist at {DisplayUrl}; create it first", ex);
        }
        catch (MinioException ex)
        {
            throw new StoreException($"remote {DisplayUrl} failed during {what}: {ex.Message}", ex);
        }
    }

    private static string Describe(Exception ex)
    {
        var inner = ex;
        while (inner.InnerException is not null) inner = inner.InnerException;
        return inner.Message;
    }

    public void Dispose()
    {
        _http.Dispose();
        (_client as IDisposable)?.Dispose();
    }
}

/// <summary>The request body of a pack: local files streamed one after another, never held in memory.</summary>
internal sealed class ConcatenatedFilesContent(IReadOnlyList<PackPart> parts) : HttpContent
{
    protected override async Task SerializeToStreamAsync(Stream stream, System.Net.TransportContext? context) =>
        await SerializeToStreamAsync(stream, context, CancellationToken.None);

    protected override async Task SerializeToStreamAsync(Stream stream, System.Net.TransportContext? context, CancellationToken cancellationToken)
    {
        foreach (var part in parts)
        {
            await using var src = UploadSource.Open(part);
            await src.CopyToAsync(stream, 1 << 16, cancellationToken);
        }
    }

    protected override bool TryComputeLength(out long length)
    {
        length = parts.Sum(p => p.Size);
        return true;
    }
}
