using System.Text.RegularExpressions;
using Observatory.Monitoring.Core.Drift;
using Observatory.Monitoring.Core.IO;

namespace Observatory.Monitoring.Onnx.Caching;

/// <summary>
/// Embeddings of a dataset version cached per (tree hash, model key) in a folder, as two .npy files:
/// <c>&lt;tree&gt;.&lt;model&gt;.embeddings.npy</c> (float32 N×D) and <c>.statistics.npy</c> (float64 N×7, columns
/// <see cref="ImageStatistics.FeatureNames"/>). Files are written to a temporary name and renamed, statistics first,
/// so a reader never sees a half-written entry. Use <see cref="ImageEmbedder.CacheKey"/> as the model key so a change
/// of preprocessing is a different entry.
/// </summary>
public sealed partial class EmbeddingCache(string folder)
{
    public string Folder { get; } = folder;

    /// <summary>
    /// Where `obs embed` keeps a repository's entries (inside its .obs folder). The service reads entries there too, so a
    /// version embedded once on the command line is not embedded again by the reference job.
    /// </summary>
    public static string RepositoryFolder(string obsDirectory) => Path.Combine(obsDirectory, "cache", "embeddings");

    /// <summary>The cached embeddings, or null when this (tree, model) pair has not been stored.</summary>
    public async Task<ImageEmbeddings?> TryGetAsync(string treeHash, string modelKey, CancellationToken cancellationToken)
    {
        var (embeddingsPath, statisticsPath) = PathsFor(treeHash, modelKey);
        if (!File.Exists(embeddingsPath) || !File.Exists(statisticsPath)) return null;
        var vectorMatrix = NpyReader.Parse(await File.ReadAllBytesAsync(embeddingsPath, cancellationToken).ConfigureAwait(false), embeddingsPath);
        var featureMatrix = NpyReader.Parse(await File.ReadAllBytesAsync(statisticsPath, cancellationToken).ConfigureAwait(false), statisticsPath);
        var vectors = Enumerable.Range(0, vectorMatrix.Rows).Select(i => vectorMatrix.Row(i).ToArray().Select(v => (float)v).ToArray()).ToArray();
        var features = Enumerable.Range(0, featureMatrix.Rows).Select(i => featureMatrix.Row(i).ToArray()).ToArray();
        if (features.Length != vectors.Length)
            throw new InvalidDataException($"embedding cache entry '{embeddingsPath}' has {vectors.Length} rows but its statistics have {features.Length}; delete both files");
        return new ImageEmbeddings(vectors, features.Select(f => ImageStatistics.FromFeatures(f)).ToArray());
    }

    public async Task StoreAsync(string treeHash, string modelKey, ImageEmbeddings embeddings, CancellationToken cancellationToken)
    {
        var (embeddingsPath, statisticsPath) = PathsFor(treeHash, modelKey);
        Directory.CreateDirectory(Folder);
        var features = embeddings.Statistics.Select(s => s.ToFeatures()).ToArray();
        var featureMatrix = new DataMatrix(features.Length, ImageStatistics.FeatureNames.Count, features.SelectMany(f => f).ToArray());
        var vectorMatrix = new DataMatrix(embeddings.Count, embeddings.Dimension, embeddings.Vectors.SelectMany(v => v.Select(x => (double)x)).ToArray());
        await WriteAtomicAsync(statisticsPath, s => NpyWriter.Write(s, featureMatrix), cancellationToken).ConfigureAwait(false);
        await WriteAtomicAsync(embeddingsPath, s => NpyWriter.Write(s, vectorMatrix, float32: true), cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Returns the cached entry, or computes, stores and returns it.</summary>
    public async Task<ImageEmbeddings> GetOrCreateAsync(string treeHash, string modelKey,
        Func<CancellationToken, Task<ImageEmbeddings>> create, CancellationToken cancellationToken)
    {
        var cached = await TryGetAsync(treeHash, modelKey, cancellationToken).ConfigureAwait(false);
        if (cached is not null) return cached;
        var created = await create(cancellationToken).ConfigureAwait(false);
        await StoreAsync(treeHash, modelKey, created, cancellationToken).ConfigureAwait(false);
        return created;
    }

    /// <summary>Path of the embeddings .npy of an entry (e.g. to copy it out as <c>ref.npy</c>).</summary>
    public string EmbeddingsPath(string treeHash, string modelKey) => PathsFor(treeHash, modelKey).Embeddings;

    private (string Embeddings, string Statistics) PathsFor(string treeHash, string modelKey)
    {
        CheckKey(treeHash, nameof(treeHash));
        CheckKey(modelKey, nameof(modelKey));
        var stem = Path.Combine(Folder, $"{treeHash}.{modelKey}");
        return (stem + ".embeddings.npy", stem + ".statistics.npy");
    }

    private static void CheckKey(string key, string parameter)
    {
        if (!KeyPattern().IsMatch(key))
            throw new ArgumentException($"cache key part '{key}' must be 1-128 letters, digits, '-' or '_' (a hash)", parameter);
    }

    private static async Task WriteAtomicAsync(string path, Action<Stream> write, CancellationToken ct)
    {
        var temp = $"{path}.{Guid.NewGuid():N}.tmp";
        try
        {
            await using (var stream = new FileStream(temp, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1 << 16))
            {
                write(stream);
                await stream.FlushAsync(ct).ConfigureAwait(false);
                stream.Flush(flushToDisk: true);
            }
            File.Move(temp, path, overwrite: true);
        }
        catch
        {
            File.Delete(temp);
            throw;
        }
    }

    [GeneratedRegex("^[A-Za-z0-9_-]{1,128}$")]
    private static partial Regex KeyPattern();
}
