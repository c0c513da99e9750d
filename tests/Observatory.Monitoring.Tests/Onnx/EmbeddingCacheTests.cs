using Observatory.Monitoring.Core.Drift;
using Observatory.Monitoring.Core.IO;
using Observatory.Monitoring.Core.Images;
using Observatory.Monitoring.Onnx;
using Observatory.Monitoring.Onnx.Caching;

namespace Observatory.Monitoring.Tests.Onnx;

public sealed class EmbeddingCacheTests : IDisposable
{
    private readonly string folder = Directory.CreateTempSubdirectory("obs-cache-").FullName;
    private static readonly string Fixtures = Path.Combine(AppContext.BaseDirectory, "Onnx", "Fixtures");

    private static ImageEmbeddings Sample() => new(
        [[1f, -2f, 3.5f], [0.25f, float.Epsilon, -0f]],
        [new ImageStatistics(0.5, 0.1, 123.456789012345, 0.3, 640, 480), new ImageStatistics(0.1, 0, 0, 1, 3, 7)]);

    [Fact]
    public async Task StoreThenTryGet_ReturnsTheSameVectorsAndStatistics()
    {
        var cache = new EmbeddingCache(folder);
        await cache.StoreAsync("tree1", "model1", Sample(), CancellationToken.None);
        var loaded = await cache.TryGetAsync("tree1", "model1", CancellationToken.None);
        Assert.NotNull(loaded);
        Assert.Equal(Sample().Vectors, loaded.Vectors);
        Assert.Equal(Sample().Statistics, loaded.Statistics);
        Assert.Empty(Directory.GetFiles(folder, "*.tmp"));
    }

    [Fact]
    public async Task TryGet_OtherTreeOrModel_ReturnsNull()
    {
        var cache = new EmbeddingCache(folder);
        await cache.StoreAsync("tree1", "model1", Sample(), CancellationToken.None);
        Assert.Null(await cache.TryGetAsync("tree2", "model1", CancellationToken.None));
        Assert.Null(await cache.TryGetAsync("tree1", "model2", CancellationToken.None));
    }

    [Fact]
    public async Task GetOrCreate_SecondCall_ReadsTheCacheInsteadOfEmbedding()
    {
        var cache = new EmbeddingCache(folder);
        using var embedder = new ImageEmbedder(EmbeddingModelOptions.Random);
        var images = TestImages.Samples(1, 4);
        var runs = 0;
        Task<ImageEmbeddings> Create(CancellationToken ct) { runs++; return embedder.EmbedAsync(images, ct); }
        var first = await cache.GetOrCreateAsync("abc123", embedder.CacheKey, Create, CancellationToken.None);
        var second = await cache.GetOrCreateAsync("abc123", embedder.CacheKey, Create, CancellationToken.None);
        Assert.Equal(1, runs);
        Assert.Equal(first.Vectors, second.Vectors);
        Assert.Equal(first.Statistics, second.Statistics);
        Assert.True(File.Exists(cache.EmbeddingsPath("abc123", embedder.CacheKey)));
    }

    [Fact]
    public async Task Keys_WithPathCharacters_AreRejected()
    {
        var cache = new EmbeddingCache(folder);
        await Assert.ThrowsAsync<ArgumentException>(() => cache.TryGetAsync("../x", "m", CancellationToken.None));
        await Assert.ThrowsAsync<ArgumentException>(() => cache.StoreAsync("t", "a/b", Sample(), CancellationToken.None));
    }

    [Fact]
    public void NpyWriter_ProducesNumpysBytes()
    {
        using var f4 = new MemoryStream();
        NpyWriter.Write(f4, DataMatrix.FromRows([[1.0f, -2.5f, 3.25f], [4.0f, 5.5f, (double)1e-3f]]), float32: true);
        Assert.Equal(File.ReadAllBytes(Path.Combine(Fixtures, "numpy_f4_2x3.npy")), f4.ToArray());
        using var f8 = new MemoryStream();
        NpyWriter.Write(f8, DataMatrix.FromRows([[0.1, 0.2], [1e300, -0.0], [3.0, 255.0]]));
        Assert.Equal(File.ReadAllBytes(Path.Combine(Fixtures, "numpy_f8_3x2.npy")), f8.ToArray());
    }

    [Fact]
    public void NpyReader_ReadsNumpysFiles()
    {
        var f4 = NpyReader.Read(Path.Combine(Fixtures, "numpy_f4_2x3.npy"));
        Assert.Equal([1.0, -2.5, 3.25, 4.0, 5.5, (double)1e-3f], f4.Data);
        var f8 = NpyReader.Read(Path.Combine(Fixtures, "numpy_f8_3x2.npy"));
        Assert.Equal([0.1, 0.2, 1e300, -0.0, 3.0, 255.0], f8.Data);
    }

    public void Dispose() => Directory.Delete(folder, recursive: true);
}
