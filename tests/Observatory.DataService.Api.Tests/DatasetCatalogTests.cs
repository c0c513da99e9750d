using Observatory.DataService.Api.Tests.Seed;
using Observatory.DataService.Core.Operations;
using Observatory.DataService.Core.Queries;
using Observatory.DataService.Core.Workspace;
using Observatory.Testing;

namespace Observatory.DataService.Api.Tests;

/// <summary>The query service directly, over small hand-made repositories for the cases the sample dataset does not have.</summary>
public sealed class DatasetCatalogTests : IDisposable
{
    private readonly GitSandbox _git = new("catalog");

    private async Task CommitAsync(params string[] datasets)
    {
        await InitOperation.RunAsync(_git.Root, SeededRegistry.Environment(), CancellationToken.None);
        using var repo = ObsRepository.Open(_git.Root, SeededRegistry.Environment());
        await AddOperation.RunAsync(repo, datasets.Select(repo.FullPath).ToList(), new AddOptions(), CancellationToken.None);
        await CommitOperation.RunAsync(repo, new CommitOptions { Message = "add", Tag = "" }, CancellationToken.None);
    }

    private DatasetCatalog Catalog() => new(_git.Root, SeededRegistry.Environment());

    [Fact]
    public async Task ClassBalance_TakesNamesFromDataYaml_ListOrMap_AndCountsUnnamedIdsAndMalformedRows()
    {
        _git.WriteFile("a/data.yaml", "names: [cat, dog]\n");
        _git.WriteFile("a/labels/x.txt", "1 0.5 0.5 0.1 0.1\n5 0.2 0.2 0.1 0.1\nnot a row\n\n1 0.3 0.3 0.1 0.1\n");
        _git.WriteFile("b/data.yaml", "names:\n  0: car\n  2: bus\n");
        _git.WriteFile("b/sub/labels/y.txt", "2 0.5 0.5 0.1 0.1\n");
        await CommitAsync("a", "b");

        var a = await Catalog().ClassBalanceAsync("a", "HEAD", CancellationToken.None);
        Assert.Equal([(0, "cat", 0), (1, "dog", 2), (5, "5", 1)], a.Classes.Select(c => (c.Id, c.Name, c.Count)));
        Assert.Equal((1, 3, 1), (a.LabelFiles, a.Objects, a.MalformedLines));

        var b = await Catalog().ClassBalanceAsync("b", "a@v1", CancellationToken.None);
        Assert.Equal([(0, "car", 0), (2, "bus", 1)], b.Classes.Select(c => (c.Id, c.Name, c.Count)));
    }

    [Fact]
    public async Task ClassBalance_CountsLabelFilesMissingFromTheCacheInsteadOfFailing()
    {
        _git.WriteFile("a/labels/x.txt", "0 0.5 0.5 0.1 0.1\n");
        _git.WriteFile("a/labels/y.txt", "0 0.5 0.5 0.1 0.1\n0 0.5 0.5 0.1 0.1\n");
        await CommitAsync("a");
        var hash = Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(File.ReadAllBytes(_git.PathOf("a/labels/x.txt"))));
        File.Delete(Path.Combine(_git.Root, ".obs", "cache", "objects", hash[..2], hash[2..]));

        var balance = await Catalog().ClassBalanceAsync("a", "HEAD", CancellationToken.None);
        Assert.Equal((2, 1, 2), (balance.LabelFiles, balance.MissingLabelFiles, balance.Objects));
    }

    [Fact]
    public async Task Images_MapALabelPathToItsImageWithOneBoxPerRowAndItsLine()
    {
        _git.WriteFile("a/images/train/p.png", [1, 2, 3]);
        _git.WriteFile("a/labels/train/p.txt", "0 0.5 0.5 0.2 0.2\n\n1 0.1 0.2 0.1 0.1\n");
        _git.WriteFile("a/classes.txt", "cat\ndog\n");
        await CommitAsync("a");

        var images = await Catalog().ImagesAsync("a", "HEAD", ["a/labels/train/p.txt", "a/images/train/p.png", "a/classes.txt", "a/labels/train/none.txt"], CancellationToken.None);
        Assert.Equal(["a/images/train/p.png", "a/labels/train/p.txt"], images.Keys.Order(StringComparer.Ordinal));
        var image = images["a/labels/train/p.txt"];
        Assert.Equal(("a/images/train/p.png", "a/labels/train/p.txt", 3L), (image.Path, image.LabelPath, image.Size));
        Assert.Equal([("cat", 1), ("dog", 3)], image.Boxes.Select(b => (b.ClassName, b.Line)));
        Assert.Equal((0.1, 0.2, 0.1, 0.1), (image.Boxes[1].CenterX, image.Boxes[1].CenterY, image.Boxes[1].Width, image.Boxes[1].Height));
    }

    [Fact]
    public async Task ListDatasets_IncludesADatasetAddedButNotCommitted_WithNoVersions()
    {
        _git.WriteFile("a/f.bin", [1]);
        await CommitAsync("a");
        _git.WriteFile("new/g.bin", [2, 3]);
        using (var repo = ObsRepository.Open(_git.Root, SeededRegistry.Environment()))
            await AddOperation.RunAsync(repo, [repo.FullPath("new")], new AddOptions(), CancellationToken.None);

        var rows = Catalog().ListDatasets();
        Assert.Equal([("a", true, true, 1L), ("new", true, false, 1L)], rows.Select(r => (r.Path, r.InWorkspace, r.AtHead, r.Files)));
        Assert.Empty(Catalog().Versions("new"));
        Assert.Single(Catalog().Versions("a"));
        await Assert.ThrowsAsync<QueryNotFoundException>(() => Catalog().FilesAsync("new", "HEAD", CancellationToken.None));
    }

    [Fact]
    public void Catalog_OverAFolderThatIsNotARepository_FailsWithAStoreErrorNamingIt()
    {
        using var dir = new TempDirectory("plain");
        var ex = Assert.Throws<Observatory.DataService.Core.Errors.StoreException>(() => new DatasetCatalog(dir.Path, SeededRegistry.Environment()).ListDatasets());
        Assert.Contains(dir.Path, ex.Message);
    }

    public void Dispose() => _git.Dispose();
}
