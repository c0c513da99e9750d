using Observatory.DataService.Core.Store;

namespace Observatory.DataService.Core.Workspace;

/// <summary>
/// The <c>/&lt;name&gt;</c> line in the .gitignore beside a dataset (DVC's convention) that keeps its files out of git while its
/// pointer is committed. Add, checkout (from history) and import write it; commit stages the file.
/// </summary>
internal static class DatasetGitignore
{
    public static string PathFor(string datasetPath)
    {
        var folder = datasetPath.Contains('/') ? datasetPath[..datasetPath.LastIndexOf('/')] : "";
        return folder.Length == 0 ? ".gitignore" : folder + "/.gitignore";
    }

    /// <summary>Adds the dataset's line unless it is there; the file is rewritten atomically, other lines kept.</summary>
    public static async Task EnsureAsync(ObsRepository repo, string datasetPath, CancellationToken ct)
    {
        var gitignore = repo.FullPath(PathFor(datasetPath));
        var line = "/" + (datasetPath.Contains('/') ? datasetPath[(datasetPath.LastIndexOf('/') + 1)..] : datasetPath);
        var text = File.Exists(gitignore) ? await File.ReadAllTextAsync(gitignore, ct) : "";
        if (text.Split('\n').Any(l => l.TrimEnd('\r') == line)) return;
        if (text.Length > 0 && !text.EndsWith('\n')) text += "\n";
        await AtomicFile.WriteAllTextAsync(gitignore, text + line + "\n", repo.TempDir, ct);
    }
}
