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

    /// <summary>
    /// Documents that are not trees, each with the reason a whole parse gives and the one the streaming reader gives. They
    /// differ where the parse finds a later fault first (it reads the whole document before any entry).
    /// </summary>
    public static TheoryData<string, string, string> NotTrees => new()
    {
        { """{"entries":[],"format":"obs-tree-2"}""", "not an obs tree", "not an obs tree" },
        { """{"entries":[]}""", "not an obs tree", "not an obs tree" },
        { """{"format":"obs-tree-1"}""", "corrupt", "'entries' is missing" },
        { """{"entries":{},"format":"obs-tree-1"}""", "corrupt", "not an array" },
        { """{"entries":[1],"format":"obs-tree-1"}""", "corrupt", "not an object" },
        { """{"entries":[{"path":"a","size":1}],"format":"obs-tree-1"}""", "corrupt", "no 'sha256'" },
        { """{"entries":[{"path":"a","sha256":"00","size":1}],"format":"obs-tree-1"}""", "invalid sha256", "invalid sha256" },
        { """{"entries":[{"path":"a","sha256":"SHA","size":"1"}],"format":"obs-tree-1"}""", "invalid sha256", "invalid sha256" },
        { """{"entries":[{"path":"a","sha256":"ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad","size":"1"}],"format":"obs-tree-1"}""", "corrupt", "not a number" },
        { """{"entries":[{"path":"a","sha256":"ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad","size":1.5}],"format":"obs-tree-1"}""", "corrupt", "not a whole number" },
        { """{"entries":[],"format":"obs-tree-1"} {}""", "corrupt", "corrupt" },
        { """{"entries":[{"path":"a","sha256":"00","size":1}],"format":"obs-tree-1",}""", "corrupt", "invalid sha256" },
        { """{"entries":[],"format":"obs-tree-1" """, "corrupt", "corrupt" },
        { """[]""", "corrupt", "the root is not an object" },
        { """{"format":7,"entries":[]}""", "corrupt", "corrupt" },
    };

    [Theory]
    [MemberData(nameof(NotTrees))]
    public void Parse_RefusesWhatIsNotATree_WithTheReasonAndTheName(string json, string reason, string _)
    {
        var ex = Assert.Throws<Observatory.DataService.Core.Errors.DataCheckException>(() => TreeObject.Parse(System.Text.Encoding.UTF8.GetBytes(json), "abc of x.obs"));
        Assert.Contains(reason, ex.Message);
        Assert.Contains("abc of x.obs", ex.Message);
    }
}

/// <summary>The streaming reader status walks a stored tree with: the same entries and refusals as a whole parse, in one buffer.</summary>
public sealed class TreeEntryReaderTests
{
    private static readonly ContentHash H1 = ContentHash.Compute("one"u8);

    /// <summary>Hands out at most <paramref name="step"/> bytes per read, so every token boundary falls across a refill somewhere.</summary>
    private sealed class Trickle(byte[] bytes, int step) : MemoryStream(bytes)
    {
        public override int Read(byte[] buffer, int offset, int count) => base.Read(buffer, offset, Math.Min(count, step));
        public override int Read(Span<byte> buffer) => base.Read(buffer[..Math.Min(buffer.Length, step)]);
    }

    private static (List<TreeEntry> Entries, ContentHash Hash) ReadAll(byte[] json, int step = int.MaxValue)
    {
        using var reader = new TreeEntryReader(new Trickle(json, step), "abc of x.obs");
        var entries = reader.Entries().ToList();
        return (entries, reader.ContentHash);
    }

    [Theory]
    [InlineData(int.MaxValue)]
    [InlineData(7)]
    public void Entries_OfACanonicalTree_AreThoseOfAWholeParse_AndTheHashIsTheTreesHash(int step)
    {
        // About 1.2 MB: many refills of the 64 KB buffer (or of 7 bytes at a time), across non-ASCII paths.
        var tree = TreeObject.Create(Enumerable.Range(0, 10_000).Select(i => new TreeEntry($"images/{i % 7}/ü {i:D5}.jpg", i % 2 == 0 ? H1 : ContentHash.Compute([(byte)i]), i)));
        var json = tree.ToCanonicalJson();
        var (entries, hash) = ReadAll(json, step);
        Assert.Equal(tree.Entries, entries);
        Assert.Equal(tree.Hash(), hash);
    }

    [Fact]
    public void Entries_AcceptKeysInAnyOrder_AndSkipUnknownOnes_InsideEntriesToo()
    {
        var json = $$"""{ "format": "obs-tree-1", "extra": {"x": [1, 2, "{{new string('y', 100_000)}}"]}, "entries": [ {"path": "a.jpg", "sha256": "{{H1.Hex}}", "size": 0}, {"size": 3, "note": {"deep": [null]}, "sha256": "{{H1.Hex}}", "path": "b/x.jpg"} ] }""";
        var (entries, hash) = ReadAll(System.Text.Encoding.UTF8.GetBytes(json), step: 1000);
        Assert.Equal([("a.jpg", 0L), ("b/x.jpg", 3L)], entries.Select(e => (e.Path, e.Size)));
        Assert.Equal(ContentHash.Compute(System.Text.Encoding.UTF8.GetBytes(json)), hash);
    }

    [Theory]
    [MemberData(nameof(TreeObjectParseTests.NotTrees), MemberType = typeof(TreeObjectParseTests))]
    public void Entries_RefuseWhatAWholeParseRefuses_NamingIt(string json, string _, string reason) => AssertRefused(json, reason);

    [Theory]
    [InlineData("../x", "unsafe path")]
    [InlineData("a/.git/config", ".git folder")]
    public void Entries_RefuseAPathATreeMayNotName_NamingTheTree(string path, string reason) =>
        AssertRefused($$"""{"entries":[{"path":"{{path}}","sha256":"{{H1.Hex}}","size":1}],"format":"obs-tree-1"}""", reason);

    private static void AssertRefused(string json, string reason)
    {
        foreach (var step in new[] { int.MaxValue, 3 })
        {
            var ex = Assert.Throws<DataCheckException>(() => ReadAll(System.Text.Encoding.UTF8.GetBytes(json), step));
            Assert.Contains(reason, ex.Message);
            Assert.Contains("abc of x.obs", ex.Message);
        }
    }

    [Theory]
    [InlineData("b.jpg", "a.jpg")]
    [InlineData("a.jpg", "a.jpg")]
    public void Entries_NotInStrictPathOrder_AreLeftToAWholeParse(string first, string second)
    {
        var json = $$"""{"entries":[{"path":"{{first}}","sha256":"{{H1.Hex}}","size":1},{"path":"{{second}}","sha256":"{{H1.Hex}}","size":1}],"format":"obs-tree-1"}""";
        var ex = Assert.Throws<TreeNotStreamableException>(() => ReadAll(System.Text.Encoding.UTF8.GetBytes(json)));
        Assert.Contains($"'{second}' after '{first}'", ex.Message);
    }

    [Fact]
    public void AValueLongerThanTheBound_IsLeftToAWholeParse_NotBuffered()
    {
        var json = $$"""{"extra":"{{new string('x', TreeEntryReader.MaxTokenBytes + 1)}}","entries":[],"format":"obs-tree-1"}""";
        var ex = Assert.Throws<TreeNotStreamableException>(() => ReadAll(System.Text.Encoding.UTF8.GetBytes(json)));
        Assert.Contains("longer than 1024 KB", ex.Message);
    }
}
