using Observatory.DataService.Core.Errors;
using Observatory.DataService.Core.Objects;
using Observatory.DataService.Core.Operations;
using Observatory.DataService.Core.Pointers;
using Observatory.DataService.Core.Ports;
using Observatory.DataService.Core.Validation;
using Observatory.DataService.Core.Workspace;
using Observatory.Monitoring.Contracts;

namespace Observatory.Cli.ImportWindow;

/// <summary>What `obs import-window` was asked: the service, the model, the window and selection, and where the images go.</summary>
internal sealed record ImportWindowRequest(string Service, string Model, DateTimeOffset WindowEnd, ExportSelection Select, int Count, ExportFormat? Format,
    string? Split, string? ApiKey, string Path)
{
    public bool AllowInvalid { get; init; }
    public int Parallelism { get; init; } = 4;
    public TimeSpan Timeout { get; init; } = TimeSpan.FromMinutes(5);
}

/// <summary>What an import did: the export, the files it added, the images already there, the pre-labels by source, and the add.</summary>
internal sealed record ImportWindowResult(ExportManifest Manifest, ExportFormat Format, string? Split, WindowPlan Plan, AddResult Added);

/// <summary>
/// `obs import-window`: asks the monitoring service for an export of one drift window, downloads and verifies its images, writes
/// them with their pre-labels in the dataset's layout, and tracks the folder as `obs add` does, recording the export in the
/// pointer. Nothing reaches the folder until every image is verified and every file planned; a failed validation gate puts the
/// folder back as it was.
/// </summary>
internal static class ImportWindowOperation
{
    private const string StagePrefix = "import-window-";

    /// <summary>The spelling of a selection on the command line and in the pointer (kebab case).</summary>
    public static string SelectName(ExportSelection s) => s switch
    {
        ExportSelection.LowConfidence => "low-confidence",
        _ => s.ToString().ToLowerInvariant(),
    };

    public static async Task<ImportWindowResult> RunAsync(ObsRepository repo, ImportWindowRequest request, IImageInspector inspector,
        IDatasetValidation? validation, CancellationToken ct)
    {
        var existing = Datasets.InWorkspace(repo);
        var rel = AddOperation.Target(repo, existing, request.Path, mayBeMissing: true);
        var datasetDir = repo.FullPath(rel);
        // The writer refuses links inside the folder; a parent that is a link out of the workspace is refused here, before any request.
        RepoPath.EnsureNoSymlinkEscape(repo.Root, datasetDir, $"import-window into '{rel}'");
        var format = request.Format ?? (Directory.Exists(datasetDir) ? WindowDatasetWriter.DetectFormat(datasetDir) : ExportFormat.Yolo);
        if (request.Split is { } named) WindowDatasetWriter.CheckSplit(named);
        var split = request.Split ?? WindowDatasetWriter.DefaultSplit(datasetDir);

        CleanStages(repo.TempDir);
        using var client = new MonitoringExportClient(request.Service, request.ApiKey, request.Timeout);
        var manifest = await client.CreateExportAsync(request.Model, new ExportRequest(request.WindowEnd, request.Select, request.Count, format), ct);
        WindowDatasetWriter.CheckManifest(manifest);
        if (manifest.Items.Count == 0)
            throw new DataCheckException($"export {manifest.Id} of {manifest.Model} has no items{(manifest.Note is null ? "" : $" ({manifest.Note})")}; nothing written");

        var stage = Path.Combine(repo.TempDir, StagePrefix + Guid.NewGuid().ToString("N")[..12]);
        var downloads = Path.Combine(stage, "downloads");
        Directory.CreateDirectory(downloads);
        try
        {
            await DownloadAsync(client, manifest, downloads, request.Parallelism, repo.Progress, ct);
            var plan = WindowDatasetWriter.Plan(manifest, datasetDir, format, split, item => Path.Combine(downloads, item.Sha256.ToLowerInvariant()), inspector);
            using var staged = StagedImport.Stage(plan, datasetDir, stage, ct);
            staged.Apply();
            try
            {
                var previous = existing.FirstOrDefault(d => d.DatasetPath == rel)?.Pointer;
                var added = await AddOperation.AddOneAsync(repo, rel, previous, new AddOptions
                {
                    Validation = validation,
                    AllowInvalid = request.AllowInvalid,
                    Export = new PointerExport(client.Service, manifest.Model, manifest.ModelVersion, manifest.WindowStart, manifest.WindowEnd,
                        SelectName(manifest.Select), manifest.Count, manifest.Id),
                }, ct);
                return new ImportWindowResult(manifest, format, split, plan, added);
            }
            catch
            {
                // Nothing partial: a refused version (the validation gate) or a failed add leaves the folder as it was.
                staged.Rollback();
                throw;
            }
        }
        finally
        {
            try { if (Directory.Exists(stage)) Directory.Delete(stage, recursive: true); }
            catch (IOException) { }
            catch (UnauthorizedAccessException) { }
        }
    }

    /// <summary>Each distinct image once, a few at a time, to <c>downloads/&lt;sha256&gt;</c>; progress in bytes when the manifest gives sizes.</summary>
    private static async Task DownloadAsync(MonitoringExportClient client, ExportManifest manifest, string downloads, int parallelism,
        IOperationProgress progress, CancellationToken ct)
    {
        var distinct = manifest.Items.DistinctBy(i => i.Sha256.ToLowerInvariant()).ToList();
        var bytes = distinct.All(i => i.Bytes is not null);
        progress.Begin($"downloading {distinct.Count} image(s) of export {manifest.Id}", bytes ? distinct.Sum(i => i.Bytes!.Value) : distinct.Count, bytes);
        await Parallel.ForEachAsync(distinct, new ParallelOptions { MaxDegreeOfParallelism = Math.Max(1, parallelism), CancellationToken = ct }, async (item, token) =>
        {
            await client.DownloadAsync(item, Path.Combine(downloads, item.Sha256.ToLowerInvariant()), n => { if (bytes) progress.Advance(n); }, token);
            if (!bytes) progress.Advance(1);
        });
        progress.End();
    }

    /// <summary>Stages left by a killed import (under the write lock, so none is in use).</summary>
    private static void CleanStages(string tempDir)
    {
        if (!Directory.Exists(tempDir)) return;
        foreach (var dir in Directory.EnumerateDirectories(tempDir, StagePrefix + "*"))
        {
            try { Directory.Delete(dir, recursive: true); }
            catch (IOException) { }
            catch (UnauthorizedAccessException) { }
        }
    }
}
