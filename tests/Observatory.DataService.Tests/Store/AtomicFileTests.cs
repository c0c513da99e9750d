using Observatory.DataService.Core.Store;
using Observatory.Testing;

namespace Observatory.DataService.Tests.Store;

public sealed class AtomicFileTests
{
    [Fact]
    public async Task MoveInto_ManyThreadsIntoTheSameMissingFolder_AllArrive()
    {
        // Folders are created only when a rename reports them missing; racing threads must not mistake
        // "created meanwhile" for a missing source file.
        using var dir = new TempDirectory("atomic");
        var tmp = Path.Combine(dir.Path, "tmp");
        Directory.CreateDirectory(tmp);
        for (var round = 0; round < 500; round++)
        {
            var target = Path.Combine(dir.Path, $"r{round}", "sub");
            var temps = Enumerable.Range(0, 16).Select(i =>
            {
                var t = AtomicFile.TempPath(tmp);
                File.WriteAllText(t, $"{round}-{i}");
                return t;
            }).ToArray();
            await Task.WhenAll(temps.Select((t, i) => Task.Run(() => AtomicFile.MoveInto(t, Path.Combine(target, $"f{i}")))));
            for (var i = 0; i < 16; i++) Assert.Equal($"{round}-{i}", File.ReadAllText(Path.Combine(target, $"f{i}")));
        }
        Assert.Empty(Directory.EnumerateFiles(tmp));
    }

    [Fact]
    public void CreateTemp_InAMissingFolder_CreatesIt()
    {
        using var dir = new TempDirectory("atomic");
        var path = Path.Combine(dir.Path, "a", "b", "tmp-1");
        using (var s = AtomicFile.CreateTemp(path)) s.WriteByte(7);
        Assert.Equal([7], File.ReadAllBytes(path));
        Assert.Throws<IOException>(() => AtomicFile.CreateTemp(path).Dispose()); // CreateNew: never overwrites
    }
}
