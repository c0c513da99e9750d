using System.Globalization;
using Observatory.DataService.Core.Operations;
using Observatory.DataService.Core.Workspace;
using Observatory.DataService.Git;
using Observatory.DataService.Storage;
using Observatory.Samples;
using Observatory.Testing;

namespace Observatory.DataService.Api.Tests.Seed;

/// <summary>What the files on disk held when a version was committed, counted independently of the code under test.</summary>
public sealed record ExpectedVersion(string Tag, string Commit, int Files, long Bytes, IReadOnlyDictionary<int, int> ClassCounts, IReadOnlyDictionary<string, string> Hashes);

/// <summary>
/// A real git repository made with the `obs` operations: <c>data/sample</c> (the synthetic detection dataset, validated) in two
/// versions — v2 deletes 2 images, adds 3 and plants one out-of-range YOLO row — and <c>data/plain</c>, committed without validation.
/// </summary>
public sealed class SeededRegistry : IDisposable
{
    public const string Sample = "data/sample";
    public const string Plain = "data/plain";
    public static readonly IReadOnlyList<string> Classes = SampleDataset.DefaultClasses;

    public GitSandbox Git { get; } = new("registry");
    public string Root => Git.Root;
    public ExpectedVersion V1 { get; private set; } = null!;
    public ExpectedVersion V2 { get; private set; } = null!;
    public ExpectedVersion PlainV1 { get; private set; } = null!;

    public static ObsEnvironment Environment() =>
        new(p => LibGit2VersionControl.Discover(p), p => new SqliteStatCache(p), TimeProvider.System) { LockTimeout = TimeSpan.FromSeconds(5) };

    public static async Task<SeededRegistry> CreateAsync(CancellationToken ct = default)
    {
        var s = new SeededRegistry();
        await InitOperation.RunAsync(s.Root, Environment(), ct);
        SampleDataset.Generate(s.Git.PathOf(Sample), new SampleDatasetOptions { TrainCount = 12, ValCount = 4, Seed = 7 });
        var rng = new Random(3);
        for (var i = 0; i < 5; i++)
        {
            var bytes = new byte[1000 + 100 * i];
            rng.NextBytes(bytes);
            s.Git.WriteFile($"{Plain}/blob{i}.bin", bytes);
        }
        var validated = new AddOptions { Validation = new YoloRangeValidation(), AllowInvalid = true };
        using (var repo = ObsRepository.Open(s.Root, Environment()))
        {
            await AddOperation.RunAsync(repo, [repo.FullPath(Sample)], validated, ct);
            await AddOperation.RunAsync(repo, [repo.FullPath(Plain)], new AddOptions(), ct);
            var c1 = await CommitOperation.RunAsync(repo, new CommitOptions { Message = "Sample dataset v1", Tag = "" }, ct);
            s.V1 = s.Snapshot(Sample, "sample@v1", c1.Commit!);
            s.PlainV1 = s.Snapshot(Plain, "plain@v1", c1.Commit!);
        }

        // v2: 2 images (and their labels) deleted, 3 added, one label given an out-of-range row.
        foreach (var name in new[] { "train_00000", "train_00001" })
        {
            foreach (var f in Directory.GetFiles(s.Git.PathOf($"{Sample}/images/train"), name + ".*")) File.Delete(f);
            File.Delete(s.Git.PathOf($"{Sample}/labels/train/{name}.txt"));
        }
        using (var extra = new TempDirectory("extra"))
        {
            SampleDataset.Generate(extra.Path, new SampleDatasetOptions { TrainCount = 3, ValCount = 0, Seed = 99 });
            var i = 0;
            foreach (var image in Directory.GetFiles(Path.Combine(extra.Path, "images", "train")).Order(StringComparer.Ordinal))
            {
                var stem = Path.GetFileNameWithoutExtension(image);
                File.Copy(image, s.Git.PathOf($"{Sample}/images/train/new_{i:D2}{Path.GetExtension(image)}"));
                File.Copy(Path.Combine(extra.Path, "labels", "train", stem + ".txt"), s.Git.PathOf($"{Sample}/labels/train/new_{i:D2}.txt"));
                i++;
            }
        }
        File.AppendAllText(s.Git.PathOf($"{Sample}/labels/val/val_00000.txt"), "0 1.5 0.5 0.2 0.2\n");
        using (var repo = ObsRepository.Open(s.Root, Environment()))
        {
            await AddOperation.RunAsync(repo, [repo.FullPath(Sample)], validated, ct);
            var c2 = await CommitOperation.RunAsync(repo, new CommitOptions { Message = "Sample dataset v2: new images, one bad label", Tag = "" }, ct);
            s.V2 = s.Snapshot(Sample, "sample@v2", c2.Commit!);
        }
        return s;
    }

    private ExpectedVersion Snapshot(string dataset, string tag, string commit)
    {
        var folder = Git.PathOf(dataset);
        var files = Directory.GetFiles(folder, "*", SearchOption.AllDirectories);
        var classes = new SortedDictionary<int, int>();
        var labels = Path.Combine(folder, "labels");
        if (Directory.Exists(labels))
            foreach (var f in Directory.GetFiles(labels, "*.txt", SearchOption.AllDirectories))
                foreach (var line in File.ReadAllLines(f).Where(l => l.Trim().Length > 0))
                {
                    var id = int.Parse(line.Split(' ')[0], CultureInfo.InvariantCulture);
                    classes[id] = classes.GetValueOrDefault(id) + 1;
                }
        return new ExpectedVersion(tag, commit, files.Length, files.Sum(f => new FileInfo(f).Length), classes, Git.Snapshot(dataset));
    }

    public void Dispose() => Git.Dispose();
}
