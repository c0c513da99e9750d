using LibGit2Sharp;
using Observatory.Testing;

namespace Observatory.Cli.Tests.Reports;

/// <summary>
/// One real repository for the report tests, made once per test class: a YOLO dataset committed twice with `obs` (set@v1, set@v2)
/// whose paths carry the characters reports must escape or quote (<c>x|y_z.png</c>, <c>b,"q".png</c>), and a metrics file committed
/// twice with git (tags run-1, run-2). v1 → v2 moves, relabels, removes and adds boxes, deletes a label file and adds seven
/// unlabelled images, so the workspace (= v2) validates with one error and more warnings of one rule than a report lists.
/// </summary>
public sealed class ReportRepository : IAsyncLifetime
{
    private readonly GitSandbox _repo = new("reports");

    public string Root => _repo.Root;

    public GitSandbox Sandbox => _repo;

    private static void Ok(ObsRun run) => VersioningEndToEndTests.Ok(run);

    public async Task InitializeAsync()
    {
        var root = _repo.Root;
        _repo.WriteFile("data/set/classes.txt", "cat\ndog\n");
        _repo.WriteFile("data/set/images/a.png", PngBomb.Create(64, 64));
        _repo.WriteFile("data/set/images/b,\"q\".png", PngBomb.Create(65, 65));
        _repo.WriteFile("data/set/images/x|y_z.png", PngBomb.Create(66, 66));
        _repo.WriteFile("data/set/labels/a.txt", "0 0.2 0.2 0.2 0.2\n1 0.7 0.7 0.2 0.2\n0 0.5 0.5 0.1 0.1\n");
        _repo.WriteFile("data/set/labels/b,\"q\".txt", "1 0.5 0.5 0.4 0.4\n5 0.5 0.5 0.1 0.1\n");
        _repo.WriteFile("data/set/labels/x|y_z.txt", "0 0.5 0.5 0.5 0.5\n");
        Ok(await ObsProcess.RunAsync(root, "init"));
        Ok(await ObsProcess.RunAsync(root, "add", "data/set", "--allow-invalid"));
        Ok(await ObsProcess.RunAsync(root, "commit", "-m", "set: first | labelled by hand", "--tag", "--allow-invalid"));

        // Move the first cat (IoU 1/3), relabel the dog as a cat, delete the small cat, add a dog; drop x|y_z's labels.
        _repo.WriteFile("data/set/labels/a.txt", "0 0.3 0.2 0.2 0.2\n0 0.7 0.7 0.2 0.2\n1 0.1 0.9 0.1 0.1\n");
        File.Delete(_repo.PathOf("data/set/labels/x|y_z.txt"));
        for (var i = 1; i <= 7; i++) _repo.WriteFile($"data/set/images/m{i}.png", PngBomb.Create(66 + i, 66 + i));
        Ok(await ObsProcess.RunAsync(root, "commit", "-m", "set: seven new images", "--tag", "--allow-invalid"));

        _repo.WriteFile("metrics.json", """{"acc": 0.9, "loss": 0.5, "val": {"ap": [0.5, 0.6]}, "old_key": 1}""");
        Commit("train run 1", "run-1");
        _repo.WriteFile("metrics.json", """{"acc": 0.91, "loss": 0.5, "val": {"ap": [0.55, 0.6]}, "new|key": 3}""");
        Commit("train run 2", "run-2");
    }

    private void Commit(string message, string tag)
    {
        using var git = new Repository(_repo.Root);
        LibGit2Sharp.Commands.Stage(git, "metrics.json");
        var me = new Signature("Test User", "test@example.com", new DateTimeOffset(2026, 12, 7, 1, 0, 0, TimeSpan.Zero));
        git.Commit(message, me, me);
        git.ApplyTag(tag);
    }

    public Task DisposeAsync()
    {
        _repo.Dispose();
        return Task.CompletedTask;
    }
}
