using Observatory.Monitoring.Core.Images;
using Observatory.Monitoring.Onnx;
using Observatory.Testing;
using SkiaSharp;

namespace Observatory.Monitoring.Tests.Onnx;

/// <summary>Hardening finding 3: decompression bombs are refused from the header, and decodes in flight share a memory budget.</summary>
public sealed class ImageDecodeLimitsTests
{
    private static readonly byte[] Bomb = PngBomb.Create(16000, 16000);

    [Fact]
    public void Finding3_APngBomb_IsRefusedFromItsHeader_NamingTheImage()
    {
        Assert.True(Bomb.Length < 400_000, $"the bomb is {Bomb.Length} bytes");
        var options = EmbeddingModelOptions.Random;
        var input = new float[3 * options.Width * options.Height];
        var gate = new DecodeMemoryGate(ImageDecodeLimits.Default.DecodeMemoryBytes);
        var e = Assert.Throws<ImageTooLargeException>(() =>
            ImageDecoder.Decode(Bomb, "images[1]", options, ImageDecoder.NormalisationTables(options), input, ImageDecodeLimits.Default, gate, CancellationToken.None));
        Assert.Equal("images[1]", e.ItemName);
        Assert.Contains("16000×16000 exceeds max_side 30000 or max_pixels 200000000", e.Message);
        Assert.Throws<ImageTooLargeException>(() => ImageStatistics.FromEncoded(Bomb, "bomb.png"));
    }

    [Fact]
    public async Task Finding3_AnImageWithinTheSizeLimitsButOverTheDecodeMemory_IsRefusedNamingIt()
    {
        using var embedder = new ImageEmbedder(EmbeddingModelOptions.Random, ImageDecodeLimits.Default with { DecodeMemoryBytes = 16L * 1024 * 1024 });
        var fine = TestImages.Png(64, 64, (x, y) => new SKColor((byte)x, (byte)y, 0));
        var e = await Assert.ThrowsAsync<ImageTooLargeException>(() => embedder.EmbedAsync(
            [ImageSource.FromBytes("ok", fine), ImageSource.FromBytes("big.png", PngBomb.Create(3000, 3000))], CancellationToken.None));
        Assert.Equal("big.png", e.ItemName);
        Assert.Contains("more than the decode memory limit of 16 MiB", e.Message);
        // The same embedder still embeds what fits: the refused decode gave nothing away.
        Assert.Single((await embedder.EmbedAsync([ImageSource.FromBytes("ok", fine)], CancellationToken.None)).Vectors);
    }

    [Fact]
    public async Task Finding3_AFileOverMaxEncodedBytes_IsRefusedBeforeItIsRead()
    {
        using var dir = new TempDirectory("enc");
        var path = Path.Combine(dir.Path, "huge.png");
        await File.WriteAllBytesAsync(path, TestImages.Png(64, 64, (_, _) => SKColors.Gray));
        using var embedder = new ImageEmbedder(EmbeddingModelOptions.Random, ImageDecodeLimits.Default with { MaxEncodedBytes = 100 });
        var e = await Assert.ThrowsAsync<ImageTooLargeException>(() => embedder.EmbedFilesAsync([path], CancellationToken.None));
        Assert.Equal(path, e.ItemName);
        Assert.Contains("exceeds max_image_bytes 100", e.Message);
        var stream = ImageSource.FromStream("s3://x", _ => Task.FromResult<Stream>(new MemoryStream(new byte[1000])));
        await Assert.ThrowsAsync<ImageTooLargeException>(async () => await stream.ReadAsync(100, CancellationToken.None));
    }

    [Fact]
    public async Task DecodeMemoryGate_ASecondDecodeWaitsUntilTheFirstGivesItsMemoryBack()
    {
        var gate = new DecodeMemoryGate(100);
        var first = gate.Acquire(60, "a", CancellationToken.None);
        var second = Task.Run(() => gate.Acquire(60, "b", CancellationToken.None));
        await Task.Delay(300);
        Assert.False(second.IsCompleted);
        first.Dispose();
        (await second.WaitAsync(TimeSpan.FromSeconds(10))).Dispose();
        using var cts = new CancellationTokenSource(200);
        using var held = gate.Acquire(100, "c", CancellationToken.None);
        Assert.Throws<OperationCanceledException>(() => gate.Acquire(1, "d", cts.Token));
        Assert.Contains("decoding needs 101 bytes, more than the decode memory limit of 100 bytes",
            Assert.Throws<ImageTooLargeException>(() => gate.Acquire(101, "e", CancellationToken.None)).Message);
    }
}
