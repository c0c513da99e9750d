using Observatory.DataService.Core.Operations;
using Observatory.DataService.Core.Workspace;
using Observatory.DataService.Git;
using Observatory.DataService.Storage;
using Observatory.Testing;

namespace Observatory.DataService.Tests;

/// <summary>A git sandbox with `obs init` done, and an in-process repository over the real adapters.</summary>
public sealed class TestWorkspace : IDisposable
{
    public GitSandbox Git { get; } = new("ws");
    public string Root => Git.Root;

    public static ObsEnvironment Environment() =>
        new(p => LibGit2VersionControl.Discover(p), p => new SqliteStatCache(p), TimeProvider.System) { LockTimeout = TimeSpan.FromMilliseconds(300) };

    public static async Task<TestWorkspace> CreateAsync()
    {
        var ws = new TestWorkspace();
        await InitOperation.RunAsync(ws.Root, Environment(), CancellationToken.None);
        return ws;
    }

    public ObsRepository Open() => ObsRepository.Open(Root, Environment());

    /// <summary>Writes <paramref name="count"/> files with content derived from the seed under the repo-relative folder.</summary>
    public void WriteFiles(string folder, int count, int seed, int size = 2048)
    {
        var rng = new Random(seed);
        for (var i = 0; i < count; i++)
        {
            var bytes = new byte[size + rng.Next(size)];
            rng.NextBytes(bytes);
            Git.WriteFile($"{folder}/sub{i % 3}/f{i:D4}.bin", bytes);
        }
    }

    public void Dispose() => Git.Dispose();
}
