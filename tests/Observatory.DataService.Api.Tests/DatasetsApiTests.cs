using System.Net;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text.Json;
using Observatory.DataService.Api.Tests.Seed;

namespace Observatory.DataService.Api.Tests;

public sealed class DatasetsApiTests(ApiFixture fx) : IClassFixture<ApiFixture>
{
    private static readonly string Sample = Uri.EscapeDataString(SeededRegistry.Sample);
    private static readonly string Plain = Uri.EscapeDataString(SeededRegistry.Plain);

    private async Task<JsonElement> GetJsonAsync(string url)
    {
        using var response = await fx.Client.GetAsync(url);
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.OK, $"{url}: {(int)response.StatusCode} {body}");
        return JsonDocument.Parse(body).RootElement.Clone();
    }

    private async Task<JsonElement> GetProblemAsync(string url, HttpStatusCode expected)
    {
        using var response = await fx.Client.GetAsync(url);
        var body = await response.Content.ReadAsStringAsync();
        Assert.Equal(expected, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        return JsonDocument.Parse(body).RootElement.Clone();
    }

    [Fact]
    public async Task ListDatasets_ReturnsBothSeededDatasetsWithTheirHeadCounts()
    {
        var list = await GetJsonAsync("/api/datasets");
        Assert.Equal([SeededRegistry.Plain, SeededRegistry.Sample], list.EnumerateArray().Select(d => d.GetProperty("path").GetString()));
        var sample = list.EnumerateArray().Single(d => d.GetProperty("path").GetString() == SeededRegistry.Sample);
        Assert.Equal(fx.Registry.V2.Files, sample.GetProperty("files").GetInt64());
        Assert.Equal(fx.Registry.V2.Bytes, sample.GetProperty("bytes").GetInt64());
        Assert.True(sample.GetProperty("at_head").GetBoolean());
        Assert.Equal(1, sample.GetProperty("validation").GetProperty("errors").GetInt32());
    }

    [Fact]
    public async Task Versions_AreNewestFirstWithCommitTagFilesBytesAndValidation()
    {
        var versions = (await GetJsonAsync($"/api/datasets/{Sample}/versions")).EnumerateArray().ToList();
        Assert.Equal(2, versions.Count);
        var (v2, v1) = (versions[0], versions[1]);
        Assert.Equal(fx.Registry.V2.Commit, v2.GetProperty("commit").GetString());
        Assert.Equal(fx.Registry.V1.Commit, v1.GetProperty("commit").GetString());
        Assert.Equal(["sample@v2"], v2.GetProperty("tags").EnumerateArray().Select(t => t.GetString()));
        Assert.Equal(["sample@v1"], v1.GetProperty("tags").EnumerateArray().Select(t => t.GetString()));
        Assert.Equal(fx.Registry.V1.Files, v1.GetProperty("files").GetInt64());
        Assert.Equal(fx.Registry.V2.Files, v2.GetProperty("files").GetInt64());
        Assert.Equal(fx.Registry.V1.Bytes, v1.GetProperty("bytes").GetInt64());
        Assert.Equal("Sample dataset v1", v1.GetProperty("message").GetString());
        Assert.Equal(0, v1.GetProperty("validation").GetProperty("errors").GetInt32());
        Assert.Equal(1, v2.GetProperty("validation").GetProperty("errors").GetInt32());
        Assert.Equal("failed", v2.GetProperty("validation").GetProperty("status").GetString());
    }

    [Fact]
    public async Task Files_OfEachVersion_AreExactlyTheFilesCommitted()
    {
        foreach (var expected in new[] { fx.Registry.V1, fx.Registry.V2 })
        {
            var files = (await GetJsonAsync($"/api/datasets/{Sample}/versions/{Uri.EscapeDataString(expected.Tag)}/files")).EnumerateArray().ToList();
            Assert.Equal(expected.Files, files.Count);
            var actual = files.ToDictionary(f => f.GetProperty("path").GetString()![(SeededRegistry.Sample.Length + 1)..], f => f.GetProperty("sha256").GetString()!);
            Assert.Equal(expected.Hashes.OrderBy(k => k.Key, StringComparer.Ordinal).ToList(), actual.OrderBy(k => k.Key, StringComparer.Ordinal).ToList());
            Assert.Equal(expected.Bytes, files.Sum(f => f.GetProperty("size").GetInt64()));
        }
    }

    [Fact]
    public async Task Files_ByCommitSha_EqualFilesByTag()
    {
        var byTag = await GetJsonAsync($"/api/datasets/{Sample}/versions/{Uri.EscapeDataString("sample@v1")}/files");
        var bySha = await GetJsonAsync($"/api/datasets/{Sample}/versions/{fx.Registry.V1.Commit}/files");
        Assert.Equal(byTag.GetRawText(), bySha.GetRawText());
    }

    [Fact]
    public async Task Diff_DetailAnnotations_CountsBoxesPerClassAndImage_AgreeingWithClassBalance()
    {
        var range = $"from={Uri.EscapeDataString("sample@v1")}&to={Uri.EscapeDataString("sample@v2")}";
        Assert.False((await GetJsonAsync($"/api/datasets/{Sample}/diff?{range}")).TryGetProperty("boxes", out _));
        var boxes = (await GetJsonAsync($"/api/datasets/{Sample}/diff?{range}&detail=annotations")).GetProperty("boxes");
        var byClass = boxes.GetProperty("by_class").EnumerateObject().ToDictionary(p => p.Name, p => p.Value);

        // before/after must equal the class balance endpoint's object counts, computed by a different code path.
        async Task<Dictionary<string, int>> BalanceAsync(string rev) =>
            (await GetJsonAsync($"/api/datasets/{Sample}/versions/{Uri.EscapeDataString(rev)}/classes")).GetProperty("classes").EnumerateArray()
                .Where(c => c.GetProperty("count").GetInt32() > 0).ToDictionary(c => c.GetProperty("name").GetString()!, c => c.GetProperty("count").GetInt32());
        var v1 = await BalanceAsync("sample@v1");
        var v2 = await BalanceAsync("sample@v2");
        Assert.Equal(v1.Keys.Union(v2.Keys).Order(), byClass.Keys.Order());
        foreach (var (name, c) in byClass)
        {
            Assert.Equal(v1.GetValueOrDefault(name), c.GetProperty("before").GetInt32());
            Assert.Equal(v2.GetValueOrDefault(name), c.GetProperty("after").GetInt32());
            // Nothing was moved or relabelled: v2 only deletes and adds whole label files and appends one row.
            Assert.Equal(0, c.GetProperty("moved").GetInt32() + c.GetProperty("relabelled").GetInt32());
            Assert.Equal(c.GetProperty("after").GetInt32() - c.GetProperty("before").GetInt32(), c.GetProperty("added").GetInt32() - c.GetProperty("removed").GetInt32());
        }

        var images = boxes.GetProperty("images").EnumerateArray().ToDictionary(i => i.GetProperty("path").GetString()!, i => i);
        int N(JsonElement e, string name) => e.GetProperty(name).GetInt32();
        foreach (var deleted in new[] { "train_00000", "train_00001" })
        {
            var image = images.Single(i => i.Key.StartsWith($"{SeededRegistry.Sample}/images/train/{deleted}.", StringComparison.Ordinal)).Value;
            Assert.True(N(image, "removed") > 0);
            Assert.Equal(0, N(image, "added"));
        }
        var val = images.Single(i => i.Key.StartsWith($"{SeededRegistry.Sample}/images/val/val_00000.", StringComparison.Ordinal)).Value;
        Assert.Equal((1, 0, 0, 0), (N(val, "added"), N(val, "removed"), N(val, "moved"), N(val, "relabelled")));
        Assert.All(images.Keys, p => Assert.Matches(@"/(train_0000[01]|val_00000|new_\d\d)\.", p));

        var problem = await GetProblemAsync($"/api/datasets/{Sample}/diff?{range}&detail=pixels", HttpStatusCode.BadRequest);
        Assert.Contains("annotations", problem.GetRawText());
    }

    [Fact]
    public async Task Diff_FromV1ToV2_Counts3ImagesAnd3LabelsAdded_2And2Deleted_1LabelModified()
    {
        var diff = await GetJsonAsync($"/api/datasets/{Sample}/diff?from={Uri.EscapeDataString("sample@v1")}&to={Uri.EscapeDataString("sample@v2")}");
        Assert.Equal(6, diff.GetProperty("added").GetInt32());
        Assert.Equal(4, diff.GetProperty("deleted").GetInt32());
        Assert.Equal(1, diff.GetProperty("modified").GetInt32());
        Assert.Equal(3, diff.GetProperty("annotations").GetProperty("added").GetInt32());
        Assert.Equal(2, diff.GetProperty("annotations").GetProperty("deleted").GetInt32());
        Assert.Equal(1, diff.GetProperty("annotations").GetProperty("modified").GetInt32());
        var files = diff.GetProperty("files").EnumerateArray().ToList();
        Assert.Equal(11, files.Count);
        var modified = files.Single(f => f.GetProperty("change").GetString() == "modified");
        Assert.Equal($"{SeededRegistry.Sample}/labels/val/val_00000.txt", modified.GetProperty("path").GetString());
        Assert.Equal(fx.Registry.V2.Files - fx.Registry.V1.Files, diff.GetProperty("added").GetInt32() - diff.GetProperty("deleted").GetInt32());
        var added = files.Where(f => f.GetProperty("change").GetString() == "added").Sum(f => f.GetProperty("new_size").GetInt64());
        Assert.Equal(added, diff.GetProperty("bytes_added").GetInt64());
    }

    [Fact]
    public async Task ValidationReport_OfV2_ListsThePlantedOutOfRangeRowAsAnError()
    {
        var report = await GetJsonAsync($"/api/datasets/{Sample}/versions/{Uri.EscapeDataString("sample@v2")}/validation");
        Assert.Equal(1, report.GetProperty("summary").GetProperty("errors").GetInt32());
        var errors = report.GetProperty("findings").EnumerateArray().Where(f => f.GetProperty("severity").GetString() == "error").ToList();
        var error = Assert.Single(errors);
        Assert.Equal("yolo.coordinate_range", error.GetProperty("rule").GetString());
        Assert.Equal($"{SeededRegistry.Sample}/labels/val/val_00000.txt", error.GetProperty("path").GetString());
        var lines = File.ReadAllLines(fx.Registry.Git.PathOf($"{SeededRegistry.Sample}/labels/val/val_00000.txt"));
        Assert.Equal(lines.Length, error.GetProperty("line").GetInt32());
        Assert.Equal(report.GetProperty("summary").GetProperty("warnings").GetInt32(), report.GetProperty("findings").GetArrayLength() - 1);
        Assert.Equal(fx.Registry.V2.Files, report.GetProperty("files").GetInt32());
    }

    [Fact]
    public async Task ValidationReport_WhenTheVersionWasCommittedWithoutValidation_Is404Problem()
    {
        var problem = await GetProblemAsync($"/api/datasets/{Plain}/versions/HEAD/validation", HttpStatusCode.NotFound);
        Assert.Contains("no validation report", problem.GetProperty("detail").GetString());
    }

    [Fact]
    public async Task ClassBalance_CountsYoloRowsPerClassWithNamesFromClassesTxt()
    {
        foreach (var expected in new[] { fx.Registry.V1, fx.Registry.V2 })
        {
            var balance = await GetJsonAsync($"/api/datasets/{Sample}/versions/{Uri.EscapeDataString(expected.Tag)}/classes");
            var classes = balance.GetProperty("classes").EnumerateArray().ToList();
            Assert.Equal(SeededRegistry.Classes, classes.Select(c => c.GetProperty("name").GetString()));
            Assert.Equal(expected.ClassCounts.OrderBy(k => k.Key), classes.Select(c => KeyValuePair.Create(c.GetProperty("id").GetInt32(), c.GetProperty("count").GetInt32())));
            Assert.Equal(expected.ClassCounts.Values.Sum(), balance.GetProperty("objects").GetInt32());
            Assert.Equal(expected.Hashes.Keys.Count(k => k.StartsWith("labels/", StringComparison.Ordinal)), balance.GetProperty("label_files").GetInt32());
        }
        Assert.NotEqual(fx.Registry.V1.ClassCounts, fx.Registry.V2.ClassCounts);
    }

    [Fact]
    public async Task Object_ByHash_StreamsTheExactBytes()
    {
        var bytes = await File.ReadAllBytesAsync(fx.Registry.Git.PathOf($"{SeededRegistry.Sample}/images/val/val_00001.{(File.Exists(fx.Registry.Git.PathOf($"{SeededRegistry.Sample}/images/val/val_00001.jpg")) ? "jpg" : "png")}"));
        var hash = Convert.ToHexStringLower(SHA256.HashData(bytes));
        using var response = await fx.Client.GetAsync($"/api/objects/{hash}");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(bytes, await response.Content.ReadAsByteArrayAsync());
    }

    [Fact]
    public async Task Object_WhenCacheFileIsCorrupt_ResponseDoesNotCompleteNormally()
    {
        var content = "an object that will be damaged on disk"u8.ToArray();
        var hash = Convert.ToHexStringLower(SHA256.HashData(content));
        var path = Path.Combine(fx.Registry.Root, ".obs", "cache", "objects", hash[..2], hash[2..]);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        await File.WriteAllBytesAsync(path, "AN OBJECT THAT WILL BE DAMAGED ON DISK"u8.ToArray());
        try
        {
            await Assert.ThrowsAnyAsync<HttpRequestException>(async () =>
            {
                using var response = await fx.Client.GetAsync($"/api/objects/{hash}");
                response.EnsureSuccessStatusCode();
                await response.Content.ReadAsByteArrayAsync();
            });
        }
        finally { File.Delete(path); }
    }

    [Theory]
    [InlineData("not-a-hash")]
    [InlineData("ABCDEF0123456789ABCDEF0123456789ABCDEF0123456789ABCDEF0123456789")]
    public async Task Object_WithAMalformedHash_Is400NamingTheParameter(string hash)
    {
        var problem = await GetProblemAsync($"/api/objects/{hash}", HttpStatusCode.BadRequest);
        Assert.Equal("sha256", problem.GetProperty("parameter").GetString());
    }

    [Fact]
    public async Task Object_NotInTheCache_Is404()
    {
        await GetProblemAsync($"/api/objects/{new string('0', 64)}", HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task Versions_OfAnUnknownDataset_Is400NamingDataset()
    {
        var problem = await GetProblemAsync($"/api/datasets/{Uri.EscapeDataString("data/nope")}/versions", HttpStatusCode.BadRequest);
        Assert.Equal("dataset", problem.GetProperty("parameter").GetString());
        Assert.Contains("data/sample", problem.GetProperty("detail").GetString());
    }

    [Theory]
    [InlineData("files")]
    [InlineData("validation")]
    [InlineData("classes")]
    public async Task VersionEndpoints_AtAnUnknownRevision_Are400NamingRev(string what)
    {
        var problem = await GetProblemAsync($"/api/datasets/{Sample}/versions/no-such-tag/{what}", HttpStatusCode.BadRequest);
        Assert.Equal("rev", problem.GetProperty("parameter").GetString());
    }

    [Fact]
    public async Task Diff_WithAnUnknownOrMissingRevision_Is400NamingWhichOne()
    {
        var to = await GetProblemAsync($"/api/datasets/{Sample}/diff?from=HEAD~1&to=nope", HttpStatusCode.BadRequest);
        Assert.Equal("to", to.GetProperty("parameter").GetString());
        var from = await GetProblemAsync($"/api/datasets/{Sample}/diff?to=HEAD", HttpStatusCode.BadRequest);
        Assert.Equal("from", from.GetProperty("parameter").GetString());
    }

    [Fact]
    public async Task Files_AtARevisionBeforeTheDatasetExisted_Is404()
    {
        using var response = await fx.Client.GetAsync($"/api/datasets/{Sample}/versions/{fx.Registry.V1.Commit}/files");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        // HEAD~1 is v1 (exists); there is no HEAD~2, which is a bad revision, not a missing dataset.
        await GetProblemAsync($"/api/datasets/{Sample}/versions/HEAD~2/files", HttpStatusCode.BadRequest);
    }
}
