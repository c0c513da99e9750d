namespace Observatory.Cli.ImportWindow;

/// <summary>
/// A <see cref="WindowPlan"/> written to a staging folder inside the workspace (same file system, so moving into place is a
/// rename), then moved into the dataset folder. A new folder moves as one directory rename; into an existing folder each file is
/// renamed in, and a file it replaces is first moved aside, so <see cref="Rollback"/> can put the folder back exactly as it was
/// (the validation gate runs after the move). Disposing deletes the staging folder.
/// </summary>
internal sealed class StagedImport : IDisposable
{
    private readonly WindowPlan _plan;
    private readonly string _datasetDir;
    private readonly string _stage;
    private readonly List<(string Target, string? Backup)> _moved = [];
    private readonly List<string> _createdDirs = [];
    private bool _movedFolder;

    private StagedImport(WindowPlan plan, string datasetDir, string stage)
    {
        _plan = plan;
        _datasetDir = datasetDir;
        _stage = stage;
    }

    /// <summary>Writes every planned file under <paramref name="stage"/> (a new folder of its own).</summary>
    public static StagedImport Stage(WindowPlan plan, string datasetDir, string stage, CancellationToken ct)
    {
        var staged = new StagedImport(plan, datasetDir, stage);
        try
        {
            foreach (var file in plan.Files)
            {
                ct.ThrowIfCancellationRequested();
                var to = staged.Staged(file.Path);
                Directory.CreateDirectory(Path.GetDirectoryName(to)!);
                if (file.Content is not null) File.WriteAllBytes(to, file.Content);
                else File.Copy(file.SourceFile!, to);
            }
            return staged;
        }
        catch
        {
            staged.Dispose();
            throw;
        }
    }

    private string Staged(string rel) => Path.Combine(_stage, "files", rel);

    /// <summary>Moves the staged files into the dataset folder; on a failure part-way puts back what it moved, then rethrows.</summary>
    public void Apply()
    {
        if (_plan.Files.Count == 0) return;
        try
        {
            if (!Directory.Exists(_datasetDir))
            {
                CreateDirectories(Path.GetDirectoryName(_datasetDir)!);
                Directory.Move(Path.Combine(_stage, "files"), _datasetDir);
                _movedFolder = true;
                return;
            }
            foreach (var file in _plan.Files)
            {
                var target = Path.Combine(_datasetDir, file.Path);
                CreateDirectories(Path.GetDirectoryName(target)!);
                string? backup = null;
                if (File.Exists(target))
                {
                    backup = Path.Combine(_stage, "replaced", file.Path);
                    Directory.CreateDirectory(Path.GetDirectoryName(backup)!);
                    File.Move(target, backup);
                }
                _moved.Add((target, backup));
                File.Move(Staged(file.Path), target);
            }
        }
        catch
        {
            Rollback();
            throw;
        }
    }

    /// <summary>Puts the dataset folder back as it was before <see cref="Apply"/>.</summary>
    public void Rollback()
    {
        if (_movedFolder)
        {
            Directory.Delete(_datasetDir, recursive: true);
            _movedFolder = false;
        }
        for (var i = _moved.Count - 1; i >= 0; i--)
        {
            var (target, backup) = _moved[i];
            if (File.Exists(target)) File.Delete(target);
            if (backup is not null) File.Move(backup, target);
        }
        _moved.Clear();
        for (var i = _createdDirs.Count - 1; i >= 0; i--)
            if (Directory.Exists(_createdDirs[i]) && !Directory.EnumerateFileSystemEntries(_createdDirs[i]).Any()) Directory.Delete(_createdDirs[i]);
        _createdDirs.Clear();
    }

    private void CreateDirectories(string dir)
    {
        var missing = new Stack<string>();
        for (var d = dir; !Directory.Exists(d); d = Path.GetDirectoryName(d)!) missing.Push(d);
        while (missing.TryPop(out var d))
        {
            Directory.CreateDirectory(d);
            _createdDirs.Add(d);
        }
    }

    public void Dispose()
    {
        try
        {
            if (Directory.Exists(_stage)) Directory.Delete(_stage, recursive: true);
        }
        catch (IOException) { } // a leftover is removed by the next import-window (ImportWindowOperation.CleanStages)
        catch (UnauthorizedAccessException) { }
    }
}
