using Observatory.Monitoring.Core.Exports;
using Observatory.Monitoring.Core.Images;

namespace Observatory.Monitoring.Tests.Exports;

public sealed class ExportFileNamesTests
{
    private static readonly string Sha = "3fa2b1c4d5e6" + new string('0', 52);

    [Fact]
    public void Name_IsTheSafeEventId_TheHashStart_AndTheExtension()
    {
        Assert.Equal("cam-7_0042-3fa2b1c4d5e6.jpg", ExportFileNames.Of("cam-7/0042", Sha, ".jpg"));
        Assert.Equal(".._.._etc_passwd-3fa2b1c4d5e6.png", ExportFileNames.Of("../../etc/passwd", Sha, ".png"));
        Assert.Equal(new string('x', 80) + "-3fa2b1c4d5e6.bin", ExportFileNames.Of(new string('x', 200), Sha, ".bin"));
        Assert.Equal("a_b_c-3fa2b1c4d5e6.gif", ExportFileNames.Of("a b\u00e9c", Sha, ".gif"));
    }

    [Fact]
    public void Assign_MakesNamesUniqueIgnoringCase()
    {
        var names = ExportFileNames.Assign([("a/b", Sha, ".jpg"), ("a_b", Sha, ".jpg"), ("A_B", Sha, ".jpg"), ("c", Sha, ".jpg")]);
        Assert.Equal(["a_b-3fa2b1c4d5e6.jpg", "a_b-3fa2b1c4d5e6-2.jpg", "A_B-3fa2b1c4d5e6-3.jpg", "c-3fa2b1c4d5e6.jpg"], names);
    }

    [Theory]
    [InlineData(new byte[] { 0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A, 0 }, "image/png", ".png")]
    [InlineData(new byte[] { 0xFF, 0xD8, 0xFF, 0xE0 }, "image/jpeg", ".jpg")]
    [InlineData(new byte[] { 0x47, 0x49, 0x46, 0x38, 0x39, 0x61 }, "image/gif", ".gif")]
    [InlineData(new byte[] { 0x42, 0x4D, 0, 0 }, "image/bmp", ".bmp")]
    [InlineData(new byte[] { 0x52, 0x49, 0x46, 0x46, 1, 2, 3, 4, 0x57, 0x45, 0x42, 0x50 }, "image/webp", ".webp")]
    [InlineData(new byte[] { 0x52, 0x49, 0x46, 0x46, 1, 2, 3, 4, 0x57, 0x41, 0x56, 0x45 }, "application/octet-stream", ".bin")] // a WAV
    [InlineData(new byte[] { 0x3C, 0x68, 0x74, 0x6D, 0x6C, 0x3E }, "application/octet-stream", ".bin")] // <html>
    [InlineData(new byte[0], "application/octet-stream", ".bin")]
    public void Sniff_KnowsTheFormatFromMagicBytesOnly(byte[] bytes, string contentType, string extension) =>
        Assert.Equal(new ImageFormats.Format(contentType, extension), ImageFormats.Sniff(bytes));
}
