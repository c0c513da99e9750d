using System.Text.RegularExpressions;
using Observatory.DataService.Core.Errors;
using Observatory.DataService.Core.Objects;
using Observatory.DataService.Core.Pointers;

namespace Observatory.DataService.Core.Workspace;

/// <summary>
/// A model folder at a revision, as <c>obs embed --model-rev</c> takes it: <c>PATH@REV</c>. The text after the first '@' is
/// the revision: <c>vN</c> is short for version N of the tracked folder PATH is in (<c>&lt;folder name&gt;@vN</c>, the tag
/// `obs commit --tag` makes), anything else goes to git as it is (<c>HEAD</c>, a sha, a branch, or a full version name such
/// as <c>tiny@v3</c>; a git tag literally called <c>v3</c> is <c>refs/tags/v3</c>). Without '@' the folder is read as the
/// workspace's pointer records it. PATH therefore cannot contain '@' (revisions can: <c>HEAD@{1}</c>); give it relative to
/// the current directory, like every obs path.
/// </summary>
/// <param name="Revision">As given: a short <c>vN</c> is expanded by <see cref="TrackedModels.ResolveAsync"/>, which knows the folder.</param>
public sealed partial record ModelRevision(string Path, string? Revision)
{
    public static ModelRevision Parse(string text)
    {
        var at = text.IndexOf('@', StringComparison.Ordinal);
        var path = at < 0 ? text : text[..at];
        var rev = at < 0 ? null : text[(at + 1)..];
        if (path.Length == 0 || rev is { Length: 0 })
            throw new UsageException($"model revision '{text}' must be PATH@REV (e.g. models/food-detector@v3, models/food-detector@HEAD) or a tracked folder");
        return new ModelRevision(path, rev);
    }

    /// <summary>True when <see cref="Revision"/> is the short <c>vN</c> form.</summary>
    public bool IsShortVersion => Revision is not null && ShortVersion().IsMatch(Revision);

    [GeneratedRegex("^v[0-9]{1,9}$")]
    private static partial Regex ShortVersion();
}

/// <summary>
/// The files of a tracked model folder at a revision, all in the object cache: the one ONNX file (<see cref="OnnxPath"/> is
/// the cache object itself, so nothing is checked out) and the bytes of the model.yaml beside it, if any. Turning the yaml
/// into preprocessing options is Monitoring.Onnx's (ModelYaml), which this pure project cannot reference.
/// </summary>
/// <param name="OnnxFile">Repo-relative path of the .onnx, for messages.</param>
/// <param name="OnnxHash">The .onnx's content hash: its SHA-256, the model identity embeddings are cached by.</param>
/// <param name="ModelYamlFile">Repo-relative path of the model.yaml, null when the folder has none.</param>
public sealed record TrackedModelFiles(
    TrackedDataset Folder, string? Revision, string OnnxFile, ContentHash OnnxHash, string OnnxPath, string? ModelYamlFile, byte[]? ModelYaml);

/// <summary>Resolves <see cref="ModelRevision"/>s against a repository the way datasets are resolved (pointer, tree, cache).</summary>
public static class TrackedModels
{
    public const string ModelExtension = ".onnx";

    /// <summary>model.yaml files larger than this are not read (the parser refuses them too; this keeps them out of memory).</summary>
    public const long MaxModelYamlBytes = 64 * 1024;

    public const string ModelYamlName = "model.yaml";

    /// <summary>Finds the folder's pointer at the revision, loads its tree and picks its one .onnx (and model.yaml beside it).</summary>
    public static async Task<TrackedModelFiles> ResolveAsync(ObsRepository repo, ModelRevision model, CancellationToken ct)
    {
        if (model.IsShortVersion)
        {
            var name = FolderName(repo, model.Path);
            if (repo.Git.TryResolve($"{name}@{model.Revision}") is null)
                throw new UsageException($"'{model.Path}' has no version {model.Revision} ({name}@{model.Revision} is neither a tag nor recorded by its pointer); run 'obs log {model.Path}' to list its versions");
            model = model with { Revision = $"{name}@{model.Revision}" };
        }
        var (folder, subPath) = Datasets.Select(repo, Datasets.At(repo, model.Revision), [model.Path]).Single();
        var tree = await Datasets.LoadTreeAsync(repo, folder, ct);
        var prefix = subPath is null ? "" : subPath.TrimEnd('/') + "/";
        var entries = tree.Entries.Where(e => e.Path.StartsWith(prefix, StringComparison.Ordinal)).ToList();
        var where = $"{folder.DatasetPath}{(subPath is null ? "" : "/" + subPath)} {(model.Revision is null ? "in the workspace" : "at " + model.Revision)}";
        var onnx = entries.Where(e => e.Path.EndsWith(ModelExtension, StringComparison.OrdinalIgnoreCase)).ToList();
        if (onnx.Count != 1)
            throw new UsageException(onnx.Count == 0
                ? $"{where} has no {ModelExtension} file; a model folder holds exactly one (and optionally {ModelYamlName})"
                : $"{where} has {onnx.Count} {ModelExtension} files ({string.Join(", ", onnx.Select(e => e.Path))}); a model folder holds exactly one — give the sub-folder of the one to use");
        var model0 = onnx[0];
        var fetch = $"run 'obs fetch {folder.DatasetPath}{(model.Revision is null ? "" : " --rev " + model.Revision)}' first";
        if (!repo.Cache.Contains(model0.Hash))
            throw new StoreException($"object {model0.Hash.Hex} ({folder.DatasetPath}/{model0.Path}) is not in the cache; {fetch}");

        var dir = model0.Path.Contains('/') ? model0.Path[..(model0.Path.LastIndexOf('/') + 1)] : "";
        var yaml = entries.FirstOrDefault(e => e.Path == dir + ModelYamlName);
        byte[]? yamlBytes = null;
        if (yaml is not null)
        {
            if (yaml.Size > MaxModelYamlBytes)
                throw new DataCheckException($"{folder.DatasetPath}/{yaml.Path} is larger than {MaxModelYamlBytes / 1024} KiB ({yaml.Size} bytes); not read");
            if (!repo.Cache.Contains(yaml.Hash))
                throw new StoreException($"object {yaml.Hash.Hex} ({folder.DatasetPath}/{yaml.Path}) is not in the cache; {fetch}");
            yamlBytes = await repo.Cache.ReadAllBytesAsync(yaml.Hash, ct);
            if (ContentHash.Compute(yamlBytes) != yaml.Hash)
                throw new DataCheckException($"object {yaml.Hash.Hex} ({folder.DatasetPath}/{yaml.Path}) is corrupt in the cache (content does not match its hash)");
        }
        return new TrackedModelFiles(folder, model.Revision, $"{folder.DatasetPath}/{model0.Path}", model0.Hash, repo.Cache.PathOf(model0.Hash),
            yaml is null ? null : $"{folder.DatasetPath}/{yaml.Path}", yamlBytes);
    }

    /// <summary>
    /// The name versions of the folder PATH is in are tagged with: the tracked folder as the workspace knows it (PATH may be a
    /// sub-folder), else PATH's last segment (a folder no longer tracked here can still be read from history).
    /// </summary>
    private static string FolderName(ObsRepository repo, string path)
    {
        try
        {
            return Datasets.Select(repo, Datasets.InWorkspace(repo), [path]).Single().Dataset.Name;
        }
        catch (UsageException)
        {
            var name = Path.GetFileName(path.TrimEnd('/', '\\'));
            return name.EndsWith(PointerFile.Extension, StringComparison.Ordinal) ? name[..^PointerFile.Extension.Length] : name;
        }
    }
}
