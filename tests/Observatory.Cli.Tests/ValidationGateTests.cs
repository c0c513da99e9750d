using System.Text.Json;
using Observatory.Samples;
using Observatory.Testing;

namespace Observatory.Cli.Tests;

/// <summary>Validation as the gate of `add` and `commit`, and `obs validate`, through the real CLI.</summary>
public sealed class ValidationGateTests
{
    [Fact]
    public async Task Add_OfDatasetWithErrors_IsRefused_UnlessAllowInvalid_AndTheReportTravelsWithTheVersion()
    {
        using var repo = new GitSandbox("gate");
        SampleDataset.Generate(repo.PathOf("data/shapes"), new SampleDatasetOptions { TrainCount = 12, ValCount = 4 });
        File.AppendAllText(repo.PathOf("data/shapes/labels/train/train_00002.txt"), "9 0.5 0.5 0.1 0.1\n");
        VersioningEndToEndTests.Ok(await ObsProcess.RunAsync(repo.Root, "init"));

        var refused = await ObsProcess.RunAsync(repo.Root, "add", "data/shapes");
        Assert.Equal(1, refused.ExitCode);
        Assert.Contains("yolo.class_id", refused.Stdout);
        Assert.Contains("data/shapes/labels/train/train_00002.txt", refused.Stdout);
        Assert.Contains("--allow-invalid", refused.Stderr);
        Assert.False(File.Exists(repo.PathOf("data/shapes.obs")));

        var validate = await ObsProcess.RunAsync(repo.Root, "validate", "data/shapes", "--json");
        Assert.Equal(1, validate.ExitCode);
        var report = JsonDocument.Parse(validate.Stdout).RootElement;
        Assert.Equal(1, report.GetProperty("summary").GetProperty("errors").GetInt32());
        var finding = report.GetProperty("findings").EnumerateArray().Single(f => f.GetProperty("severity").GetString() == "error");
        Assert.Equal("yolo.class_id", finding.GetProperty("rule").GetString());
        var lines = File.ReadAllLines(repo.PathOf("data/shapes/labels/train/train_00002.txt")).Length;
        Assert.Equal(lines, finding.GetProperty("line").GetInt32()); // the appended line is the last one

        VersioningEndToEndTests.Ok(await ObsProcess.RunAsync(repo.Root, "add", "data/shapes", "--allow-invalid"));
        VersioningEndToEndTests.Ok(await ObsProcess.RunAsync(repo.Root, "commit", "-m", "with a bad label", "--tag", "--allow-invalid"));
        var log = JsonDocument.Parse((await ObsProcess.RunAsync(repo.Root, "log", "--json")).Stdout).RootElement[0];
        Assert.Equal(1, log.GetProperty("validation").GetProperty("errors").GetInt32());

        // Fix it: the next version is clean, and the stored report of v1 still shows the old error.
        File.WriteAllLines(repo.PathOf("data/shapes/labels/train/train_00002.txt"), File.ReadAllLines(repo.PathOf("data/shapes/labels/train/train_00002.txt")).Where(l => !l.StartsWith("9 ", StringComparison.Ordinal)));
        VersioningEndToEndTests.Ok(await ObsProcess.RunAsync(repo.Root, "commit", "-m", "fixed", "--tag"));
        Assert.Equal(0, (await ObsProcess.RunAsync(repo.Root, "validate")).ExitCode);
        var stored = await ObsProcess.RunAsync(repo.Root, "validate", "--rev", "shapes@v1", "--json");
        Assert.Equal(1, stored.ExitCode);
        Assert.Equal(1, JsonDocument.Parse(stored.Stdout).RootElement.GetProperty("summary").GetProperty("errors").GetInt32());
    }
}
