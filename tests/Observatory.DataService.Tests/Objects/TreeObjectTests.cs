using System.Text;
using Observatory.DataService.Core.Errors;
using Observatory.DataService.Core.Objects;

namespace Observatory.DataService.Tests.Objects;

public sealed class TreeObjectTests
{
    private static readonly ContentHash H1 = ContentHash.Compute("one"u8);
    private static readonly ContentHash H2 = ContentHash.Compute("two"u8);

    [Fact]
    public void CanonicalJson_IsIndependentOfInputOrder_AndSortsEntriesByOrdinalPath()
    {
        var a = TreeObject.Create([new TreeEntry("b/x.jpg", H1, 3), new TreeEntry("B.jpg", H2, 3), new TreeEntry("a.jpg", H2, 3)]);
        var b = TreeObject.Create([new TreeEntry("a.jpg", H2, 3), new TreeEntry("b/x.jpg", H1, 3), new TreeEntry("B.jpg", H2, 3)]);
        Assert.Equal(a.ToCanonicalJson(), b.ToCanonicalJson());
        Assert.Equal(a.Hash(), b.Hash());
        Assert.Equal(["B.jpg", "a.jpg", "b/x.jpg"], a.Entries.Select(e => e.Path));
        var json = Encoding.UTF8.GetString(a.ToCanonicalJson());
        Assert.StartsWith("{\"entries\":[{\"path\":\"B.jpg\",\"sha256\":\"", json);
        Assert.DoesNotContain(" ", json);
    }

    [Fact]
    public void Hash_IsTheHashOfTheCanonicalJson_AcrossTheWritersFlushes()
    {
        // 10,000 entries: the streamed hash crosses several of the writer's flushes (every 4,096 entries); a fixed object too.
        var tree = TreeObject.Create(Enumerable.Range(0, 10_000).Select(i => new TreeEntry($"images/{i % 7}/ü {i:D5}.jpg", i % 2 == 0 ? H1 : H2, i)));
        Assert.Equal(ContentHash.Compute(tree.ToCanonicalJson()), tree.Hash());
        var small = TreeObject.Create([new TreeEntry("a.jpg", H1, 3)]);
        Assert.Equal(ContentHash.Compute(Encoding.UTF8.GetBytes(
            $$"""{"entries":[{"path":"a.jpg","sha256":"{{H1.Hex}}","size":3}],"format":"obs-tree-1"}""")), small.Hash());
    }

    [Fact]
    public void Parse_RoundTripsCanonicalJson()
    {
        var tree = TreeObject.Create([new TreeEntry("images/é ü.jpg", H1, 10), new TreeEntry("labels/a.txt", H2, 0)]);
        var back = TreeObject.Parse(tree.ToCanonicalJson(), "test");
        Assert.Equal(tree.Entries, back.Entries);
        Assert.Equal(10, back.TotalBytes);
    }

    [Theory]
    [InlineData("../escape.jpg")]
    [InlineData("a/../../escape.jpg")]
    [InlineData("/etc/passwd")]
    [InlineData("a//b.jpg")]
    [InlineData("a\\b.jpg")]
    [InlineData("./a.jpg")]
    [InlineData("C:/x.jpg")]
    public void Create_RefusesUnsafePaths(string path)
    {
        var ex = Assert.Throws<DataCheckException>(() => TreeObject.Create([new TreeEntry(path, H1, 1)]));
        Assert.Contains("unsafe path", ex.Message);
    }

    [Theory]
    [InlineData(".git/config")]
    [InlineData("a/.git/hooks/pre-commit")]
    [InlineData("a/.GIT/HEAD")]
    [InlineData("a/.git./HEAD")]
    [InlineData("a/.git /HEAD")]
    public void Create_RefusesEntriesInsideAGitFolder(string path)
    {
        var ex = Assert.Throws<DataCheckException>(() => TreeObject.Create([new TreeEntry(path, H1, 1)]));
        Assert.Contains(".git folder", ex.Message);
    }

    [Theory]
    [InlineData("a/.gitignore")]
    [InlineData("a/.github/x.yml")]
    [InlineData("a/x.git")]
    [InlineData("a/.obs/x")]
    public void Create_AcceptsNamesThatOnlyLookLikeGit(string path) =>
        Assert.Single(TreeObject.Create([new TreeEntry(path, H1, 1)]).Entries);

    [Fact]
    public void Create_RefusesDuplicatePaths()
    {
        Assert.Throws<DataCheckException>(() => TreeObject.Create([new TreeEntry("a.jpg", H1, 1), new TreeEntry("a.jpg", H2, 1)]));
    }

    [Fact]
    public void Parse_OfCorruptJson_NamesTheObject()
    {
        var ex = Assert.Throws<DataCheckException>(() => TreeObject.Parse("{\"entries\":[{\"path\":"u8, "abc123 of data/x.obs"));
        Assert.Contains("abc123 of data/x.obs", ex.Message);
    }

    [Fact]
    public void Parse_OfTreeWithEscapingPath_IsRefused()
    {
        var json = $"{{\"entries\":[{{\"path\":\"../../etc/cron.d/x\",\"sha256\":\"{H1.Hex}\",\"size\":1}}],\"format\":\"obs-tree-1\"}}";
        Assert.Throws<DataCheckException>(() => TreeObject.Parse(Encoding.UTF8.GetBytes(json), "t"));
    }
}

/// <summary>Parse reads the JSON token by token; it must accept and refuse exactly what a document parse did.</summary>
public sealed class TreeObjectParseTests
{
    private static readonly ContentHash H1 = ContentHash.Compute("one"u8);

    [Fact]
    public void Parse_AcceptsKeysInAnyOrder_AndIgnoresUnknownOnes()
    {
        var json = $$"""{ "format": "obs-tree-1", "extra": {"x": [1, 2]}, "entries": [ {"size": 3, "sha256": "{{H1.Hex}}", "note": null, "path": "b/x.jpg"}, {"path": "a.jpg", "sha256": "{{H1.Hex}}", "size": 0} ] }""";
        var tree = TreeObject.Parse(System.Text.Encoding.UTF8.GetBytes(json), "t");
        Assert.Equal(["a.jpg", "b/x.jpg"], tree.Entries.Select(e => e.Path));
        Assert.Equal([0L, 3L], tree.Entries.Select(e => e.Size));
        Assert.All(tree.Entries, e => Assert.Equal(H1, e.Hash));
    }

    [Theory]
    [InlineData("""{"entries":[],"format":"obs-tree-2"}""", "not an obs tree")]
    [InlineData("""{"entries":[]}""", "not an obs tree")]
    [InlineData("""{"format":"obs-tree-1"}""", "corrupt")]
    [InlineData("""{"entries":{},"format":"obs-tree-1"}""", "corrupt")]
    [InlineData("""{"entries":[1],"format":"obs-tree-1"}""", "corrupt")]
    [InlineData("""{"entries":[{"path":"a","size":1}],"format":"obs-tree-1"}""", "corrupt")]
    [InlineData("""{"entries":[{"path":"a","sha256":"00","size":1}],"format":"obs-tree-1"}""", "invalid sha256")]
    [InlineData("""{"entries":[{"path":"a","sha256":"SHA","size":"1"}],"format":"obs-tree-1"}""", "invalid sha256")]
    [InlineData("""{"entries":[{"path":"a","sha256":"ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad","size":"1"}],"format":"obs-tree-1"}""", "corrupt")]
    [InlineData("""{"entries":[{"path":"a","sha256":"ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad","size":1.5}],"format":"obs-tree-1"}""", "corrupt")]
    [InlineData("""{"entries":[],"format":"obs-tree-1"} {}""", "corrupt")]
    [InlineData("""{"entries":[{"path":"a","sha256":"00","size":1}],"format":"obs-tree-1",}""", "corrupt")]
    [InlineData("""[]""", "corrupt")]
    [InlineData("""{"format":7,"entries":[]}""", "corrupt")]
    public void Parse_RefusesWhatIsNotATree_WithTheReasonAndTheName(string json, string reason)
    {
        var ex = Assert.Throws<Observatory.DataService.Core.Errors.DataCheckException>(() => TreeObject.Parse(System.Text.Encoding.UTF8.GetBytes(json), "abc of x.obs"));
        Assert.Contains(reason, ex.Message);
        Assert.Contains("abc of x.obs", ex.Message);
    }
}
