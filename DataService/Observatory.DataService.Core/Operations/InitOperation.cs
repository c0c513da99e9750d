using Observatory.DataService.Core.Store;
using Observatory.DataService.Core.Workspace;

namespace Observatory.DataService.Core.Operations;

/// <summary>`obs init`: creates <c>.obs/</c> in a git work tree (config committed; cache, state, lock and local config ignored).</summary>
public static class InitOperation
{
    public const string ObsGitignore = "/config.local\n/cache/\n/tmp/\n/state.db*\n/lock*\n";

    /// <returns>False when the workspace was already initialised (nothing changed).</returns>
    /// <param name="subdir">Make <paramref name="startDirectory"/> the workspace root inside a larger git work tree (monorepos).</param>
    public static async Task<bool> RunAsync(string startDirectory, ObsEnvironment env, CancellationToken ct, bool subdir = false)
    {
        using var repo = ObsRepository.Open(startDirectory, env, requireInit: false, subdirRoot: subdir);
        var obs = repo.ObsDir;
        if (File.Exists(Path.Combine(obs, "config"))) return false;
        Directory.CreateDirectory(obs);
        Directory.CreateDirectory(Path.Combine(obs, "cache", "objects"));
        await AtomicFile.WriteAllTextAsync(Path.Combine(obs, ".gitignore"), ObsGitignore, repo.TempDir, ct);
        await AtomicFile.WriteAllTextAsync(Path.Combine(obs, "config"),
            "# obs configuration (committed). Credentials go in .obs/config.local, which git ignores.\ncore: {}\n", repo.TempDir, ct);
        repo.Git.Stage([".obs/config", ".obs/.gitignore"]);
        return true;
    }
}
