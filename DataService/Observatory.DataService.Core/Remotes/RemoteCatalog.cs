using Observatory.DataService.Core.Objects;
using Observatory.DataService.Core.Ports;
using Observatory.DataService.Core.Store;
using Observatory.DataService.Core.Workspace;

namespace Observatory.DataService.Core.Remotes;

/// <summary>
/// What a remote holds: loose objects (when listed) and the objects inside its packs, read from the pack indexes. Indexes are
/// immutable and named by their SHA-256, so each is downloaded once and kept in <c>.obs/cache/pack-indexes</c>.
/// </summary>
public sealed class RemoteCatalog
{
    private readonly Dictionary<ContentHash, (PackIndex Pack, PackEntry Entry)> _packed = new();

    private RemoteCatalog(IReadOnlySet<ContentHash> loose, IReadOnlyList<PackIndex> packs, IReadOnlySet<string> orphans,
        IReadOnlyDictionary<string, DateTimeOffset> packWritten)
    {
        Loose = loose;
        Packs = packs;
        Orphans = orphans;
        PackWritten = packWritten;
        foreach (var pack in packs)
            foreach (var e in pack.Entries)
                _packed.TryAdd(e.Hash, (pack, e));
    }

    /// <summary>Loose objects; empty when the catalog was loaded without listing them (a fetch needs only the packs).</summary>
    public IReadOnlySet<ContentHash> Loose { get; }
    public IReadOnlyList<PackIndex> Packs { get; }
    /// <summary>Pack data files without an index: uploads interrupted before their commit point.</summary>
    public IReadOnlySet<string> Orphans { get; }
    /// <summary>Per pack id (indexed or orphan), the newest write of its files.</summary>
    public IReadOnlyDictionary<string, DateTimeOffset> PackWritten { get; }

    public bool Contains(ContentHash hash) => Loose.Contains(hash) || _packed.ContainsKey(hash);

    public bool TryFindPacked(ContentHash hash, out PackIndex pack, out PackEntry entry)
    {
        if (_packed.TryGetValue(hash, out var found))
        {
            (pack, entry) = found;
            return true;
        }
        (pack, entry) = (null!, default);
        return false;
    }

    public IReadOnlySet<ContentHash> All() => new HashSet<ContentHash>(Loose.Concat(_packed.Keys));

    public static Task<RemoteCatalog> LoadAsync(IRemoteStore remote, bool listLoose, string? indexCacheDir, string? tempDir, TimeProvider time, CancellationToken ct) =>
        LoadAsync(remote, listLoose ? remote.ListAsync(ct) : Task.FromResult<IReadOnlySet<ContentHash>>(new HashSet<ContentHash>()), indexCacheDir, tempDir, time, ct);

    private static async Task<RemoteCatalog> LoadAsync(IRemoteStore remote, Task<IReadOnlySet<ContentHash>> looseTask, string? indexCacheDir, string? tempDir,
        TimeProvider time, CancellationToken ct)
    {
        var listing = await remote.ListPacksAsync(ct);
        var packs = new PackIndex[listing.Indexed.Count];
        var ids = listing.Indexed.Order(StringComparer.Ordinal).ToArray();
        await Parallel.ForEachAsync(Enumerable.Range(0, ids.Length), new ParallelOptions { MaxDegreeOfParallelism = 8, CancellationToken = ct }, async (i, token) =>
        {
            packs[i] = await ReadIndexAsync(remote, ids[i], indexCacheDir, tempDir, time, token);
        });
        var orphans = listing.DataFiles.Where(id => !listing.Indexed.Contains(id)).ToHashSet(StringComparer.Ordinal);
        return new RemoteCatalog(await looseTask, packs, orphans, listing.Written);
    }

    private static async Task<PackIndex> ReadIndexAsync(IRemoteStore remote, string id, string? indexCacheDir, string? tempDir, TimeProvider time, CancellationToken ct)
    {
        var cached = indexCacheDir is null ? null : Path.Combine(indexCacheDir, id + ".idx");
        if (cached is not null && File.Exists(cached))
        {
            try
            {
                return PackIndex.Parse(await File.ReadAllBytesAsync(cached, ct), id, cached);
            }
            catch (Errors.DataCheckException)
            {
                AtomicFile.TryDelete(cached); // a damaged local copy: read it again from the remote
            }
        }
        var bytes = await Retry.TransferAsync(c => remote.ReadPackIndexAsync(id, c), time, ct);
        var index = PackIndex.Parse(bytes, id, remote.DisplayUrl);
        if (cached is not null && tempDir is not null) await RememberAsync(indexCacheDir!, tempDir, id, bytes, ct);
        return index;
    }

    /// <summary>The catalog of a workspace's remote, with pack indexes kept in the workspace's cache.</summary>
    internal static Task<RemoteCatalog> LoadAsync(ObsRepository repo, IRemoteStore remote, bool listLoose, CancellationToken ct) =>
        LoadAsync(remote, listLoose, repo.PackIndexDir, repo.TempDir, repo.Time, ct);

    /// <summary>As above, with the loose objects already listed by the caller (remote gc lists them with their write times).</summary>
    internal static Task<RemoteCatalog> LoadAsync(ObsRepository repo, IRemoteStore remote, IReadOnlySet<ContentHash> loose, CancellationToken ct) =>
        LoadAsync(remote, Task.FromResult(loose), repo.PackIndexDir, repo.TempDir, repo.Time, ct);

    /// <summary>Keeps an index locally (after an upload or a download) so the next listing does not read it again.</summary>
    public static async Task RememberAsync(string indexCacheDir, string tempDir, string id, ReadOnlyMemory<byte> bytes, CancellationToken ct)
    {
        Directory.CreateDirectory(indexCacheDir);
        await AtomicFile.WriteAllBytesAsync(Path.Combine(indexCacheDir, id + ".idx"), bytes, tempDir, ct);
    }
}
