using Observatory.DataService.Core.Objects;
using Observatory.DataService.Core.Validation;
using Observatory.DataService.Imaging;
using Observatory.Samples;

namespace Observatory.DataService.Tests.Validation;

/// <summary>Wraps the real inspector and counts decodes.</summary>
internal sealed class CountingInspector(IImageInspector inner) : IImageInspector
{
    private int _calls;
    public int Calls => _calls;
    public string Version => inner.Version;

    public ImageInspection Inspect(byte[] content, ImageInspectionLimits limits)
    {
        Interlocked.Increment(ref _calls);
        return inner.Inspect(content, limits);
    }
}

public sealed class ValidationCacheTests
{
    private static async Task<(TempDir Dir, List<TreeEntry> Files)> SampleAsync()
    {
        var dir = new TempDir();
        SampleDataset.Generate(dir.Path, new SampleDatasetOptions { TrainCount = 10, ValCount = 4 });
        await Task.CompletedTask;
        return (dir, TestImages.TreeOf(dir.Path));
    }

    [Fact]
    public async Task Revalidate_WhenDatasetUnchanged_DecodesNothingAndReportsTheSame()
    {
        var (dir, files) = await SampleAsync();
        using var _ = dir;
        var counting = new CountingInspector(new SkiaImageInspector());
        var validator = new DatasetValidator(counting);
        var cache = new InMemoryValidationCache();
        var first = await validator.ValidateAsync(dir.Path, "data/s", files, ValidationRules.Default, cache, null, CancellationToken.None);
        Assert.Equal(14, counting.Calls);
        var second = await validator.ValidateAsync(dir.Path, "data/s", files, ValidationRules.Default, cache, null, CancellationToken.None);
        Assert.Equal(14, counting.Calls); // no new decode
        Assert.Equal(ValidationJson.Serialize(first), ValidationJson.Serialize(second));
    }

    [Fact]
    public async Task Revalidate_WithFileCacheInANewProcess_DecodesNothing()
    {
        var (dir, files) = await SampleAsync();
        using var _ = dir;
        using var cacheDir = new TempDir();
        var counting = new CountingInspector(new SkiaImageInspector());
        var validator = new DatasetValidator(counting);
        var first = await validator.ValidateAsync(dir.Path, "data/s", files, ValidationRules.Default, new FileValidationCache(cacheDir.Path), null, CancellationToken.None);
        var decodes = counting.Calls;
        var second = await validator.ValidateAsync(dir.Path, "data/s", files, ValidationRules.Default, new FileValidationCache(cacheDir.Path), null, CancellationToken.None);
        Assert.Equal(14, decodes);
        Assert.Equal(decodes, counting.Calls);
        Assert.Equal(ValidationJson.Serialize(first), ValidationJson.Serialize(second));
        Assert.Empty(Directory.EnumerateFiles(cacheDir.Path, "*.tmp", SearchOption.AllDirectories));
    }

    [Fact]
    public async Task Revalidate_WhenOneImageChanged_DecodesOnlyThatImage()
    {
        var (dir, files) = await SampleAsync();
        using var _ = dir;
        var counting = new CountingInspector(new SkiaImageInspector());
        var validator = new DatasetValidator(counting);
        var cache = new InMemoryValidationCache();
        await validator.ValidateAsync(dir.Path, "data/s", files, ValidationRules.Default, cache, null, CancellationToken.None);
        var changed = files.First(f => f.Path.EndsWith(".jpg", StringComparison.Ordinal));
        File.WriteAllBytes(Path.Combine(dir.Path, changed.Path), TestImages.Render(999));
        var before = counting.Calls;
        await validator.ValidateAsync(dir.Path, "data/s", TestImages.TreeOf(dir.Path), ValidationRules.Default, cache, null, CancellationToken.None);
        Assert.Equal(before + 1, counting.Calls);
    }

    [Fact]
    public async Task Revalidate_WhenLimitsChange_DoesNotReuseInspectionsMadeUnderOtherLimits()
    {
        var (dir, files) = await SampleAsync();
        using var _ = dir;
        var counting = new CountingInspector(new SkiaImageInspector());
        var validator = new DatasetValidator(counting);
        var cache = new InMemoryValidationCache();
        await validator.ValidateAsync(dir.Path, "data/s", files, ValidationRules.Default, cache, null, CancellationToken.None);
        var report = await validator.ValidateAsync(dir.Path, "data/s", files, new ValidationRules { MaxSide = 100 }, cache, null, CancellationToken.None);
        Assert.Equal(28, counting.Calls);
        Assert.Equal(14, report.Summary.ByRule[RuleIds.ImageTooLarge]);
    }

    [Fact]
    public void FileCache_AfterManyRuns_MergesPacksAndKeepsEveryEntry()
    {
        using var dir = new TempDir();
        var inspection = new ImageInspection { Status = InspectionStatus.Ok, Width = 3, Height = 4, PerceptualHash = ulong.MaxValue - 5 };
        var hashes = Enumerable.Range(0, 20).Select(i => ContentHash.Compute([(byte)i])).ToList();
        foreach (var h in hashes)
        {
            var cache = new FileValidationCache(dir.Path);
            cache.Set(h, "v1", inspection);
            cache.Flush();
        }
        var packs = Directory.EnumerateFiles(dir.Path, "pack-*.json", SearchOption.AllDirectories).Count();
        Assert.InRange(packs, 1, FileValidationCache.MaxPacks);
        var reader = new FileValidationCache(dir.Path);
        foreach (var h in hashes)
        {
            Assert.True(reader.TryGet(h, "v1", out var got));
            Assert.Equal(inspection, got);
        }
        Assert.False(reader.TryGet(hashes[0], "v2", out _));
    }

    [Fact]
    public void FileCache_WhenAPackIsCorrupt_TreatsItsEntriesAsMisses()
    {
        using var dir = new TempDir();
        var cache = new FileValidationCache(dir.Path);
        var h = ContentHash.Compute([1]);
        cache.Set(h, "v1", new ImageInspection { Status = InspectionStatus.Ok });
        cache.Flush();
        var pack = Directory.EnumerateFiles(dir.Path, "pack-*.json", SearchOption.AllDirectories).Single();
        File.WriteAllText(pack, "{\"not\": [broken");
        Assert.False(new FileValidationCache(dir.Path).TryGet(h, "v1", out _));
    }

    [Fact]
    public void FileCache_ReadsAPackAsWritten_HexKeysAndBase64Thumbnails_AndWritesTheSameFormat()
    {
        // The pack format is a JSON map of hex hash -> inspection with the thumbnail as base64; caches written by earlier builds
        // (which held both as strings) must still be read, and new packs must stay readable by any JSON tool.
        using var dir = new TempDir();
        var hash = ContentHash.Compute([7, 7, 7]);
        var thumbnail = Enumerable.Range(0, 256).Select(i => (byte)(255 - i)).ToArray();
        var variantDir = Path.Combine(dir.Path, "v1");
        Directory.CreateDirectory(variantDir);
        File.WriteAllText(Path.Combine(variantDir, "pack-0001.json"),
            $"{{\"{hash.Hex}\":{{\"status\":\"ok\",\"width\":640,\"height\":480,\"perceptual_hash\":12345,\"thumbnail\":\"{Convert.ToBase64String(thumbnail)}\"}}}}");

        var cache = new FileValidationCache(dir.Path);
        Assert.True(cache.TryGet(hash, "v1", out var got));
        Assert.Equal((640, 480, 12345UL), (got.Width, got.Height, got.PerceptualHash));
        Assert.Equal(thumbnail, got.Thumbnail);

        var other = ContentHash.Compute([8]);
        cache.Set(other, "v1", got with { Width = 3 });
        cache.Flush();
        var written = Directory.EnumerateFiles(variantDir, "pack-*.json").Single(p => !p.EndsWith("pack-0001.json", StringComparison.Ordinal));
        using var json = System.Text.Json.JsonDocument.Parse(File.ReadAllBytes(written));
        var entry = json.RootElement.GetProperty(other.Hex);
        Assert.Equal(3, entry.GetProperty("width").GetInt32());
        Assert.Equal(thumbnail, Convert.FromBase64String(entry.GetProperty("thumbnail").GetString()!));
    }

    [Theory]
    [InlineData("{\"not-a-hash\":{\"status\":\"ok\"}}")]
    [InlineData("{\"ABCDEF\":{\"status\":\"ok\"}}")]
    [InlineData("[1,2,3]")]
    public void FileCache_APackWithAKeyThatIsNotAHash_IsAMissNotACrash(string pack)
    {
        using var dir = new TempDir();
        Directory.CreateDirectory(Path.Combine(dir.Path, "v1"));
        File.WriteAllText(Path.Combine(dir.Path, "v1", "pack-0001.json"), pack);
        var cache = new FileValidationCache(dir.Path);
        Assert.False(cache.TryGet(ContentHash.Compute([1]), "v1", out _));
        // And the cache still works: a new entry is kept and read back by a fresh reader.
        cache.Set(ContentHash.Compute([1]), "v1", new ImageInspection { Status = InspectionStatus.Ok, Width = 9 });
        cache.Flush();
        Assert.True(new FileValidationCache(dir.Path).TryGet(ContentHash.Compute([1]), "v1", out var back));
        Assert.Equal(9, back.Width);
    }
}
