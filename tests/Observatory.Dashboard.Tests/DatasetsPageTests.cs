using System.Text.RegularExpressions;
using Microsoft.Playwright;
using Observatory.DataService.Api.Tests.Seed;
using static Microsoft.Playwright.Assertions;

namespace Observatory.Dashboard.Tests;

[Collection(DashboardCollection.Name)]
public sealed class DatasetsPageTests(DashboardFixture fx)
{
    private async Task<IPage> OpenAsync()
    {
        var page = await fx.NewPageAsync();
        await page.GotoAsync($"datasets?dataset={Uri.EscapeDataString(SeededRegistry.Sample)}");
        await Browser.WaitForCircuitAsync(page);
        return page;
    }

    private static async Task ExpectClassCountsAsync(IPage page, ExpectedVersion expected)
    {
        for (var id = 0; id < SeededRegistry.Classes.Count; id++)
        {
            var name = SeededRegistry.Classes[id];
            await Expect(page.Locator($"[data-testid=class-count][data-class={name}]")).ToHaveTextAsync($"{id} · {name}: {expected.ClassCounts.GetValueOrDefault(id)}");
        }
        await Expect(page.GetByTestId("balance-objects")).ToHaveTextAsync(expected.ClassCounts.Values.Sum().ToString(System.Globalization.CultureInfo.InvariantCulture));
    }

    [Fact]
    public async Task DatasetsPage_ShowsTheSeededVersionsFileCountsClassCountsAndFindings()
    {
        var page = await OpenAsync();
        await Expect(page.GetByTestId("datasets-grid")).ToContainTextAsync(SeededRegistry.Plain);
        await Expect(page.GetByTestId("version-count")).ToHaveTextAsync("2");
        var versions = page.GetByTestId("version");
        await Expect(versions).ToHaveCountAsync(2);
        await Expect(versions.Nth(0)).ToContainTextAsync("sample@v2");
        await Expect(versions.Nth(1)).ToContainTextAsync("sample@v1");
        await Expect(versions.Nth(0).GetByTestId("version-files")).ToHaveTextAsync(fx.Registry.V2.Files.ToString(System.Globalization.CultureInfo.InvariantCulture));
        await Expect(versions.Nth(1).GetByTestId("version-files")).ToHaveTextAsync(fx.Registry.V1.Files.ToString(System.Globalization.CultureInfo.InvariantCulture));
        await Expect(versions.Nth(0)).ToContainTextAsync("1 error");
        await Expect(versions.Nth(0)).ToContainTextAsync(fx.Registry.V2.Commit[..10]);

        // Newest version selected: its class balance chart and its findings with thumbnails.
        await ExpectClassCountsAsync(page, fx.Registry.V2);
        await Browser.ScreenshotAsync(page, "datasets-v2");
        var chart = page.GetByTestId("balance-chart");
        foreach (var name in SeededRegistry.Classes) await Expect(chart.Locator("svg")).ToContainTextAsync(name);
        // One drawn bar per non-empty class: SVG paths of the column series with a real size.
        var bars = await chart.EvaluateAsync<int>("c => [...c.querySelectorAll('.rz-column-series path, .rz-series path')].filter(p => { const b = p.getBBox(); return b.width > 5 && b.height > 5; }).length");
        Assert.Equal(fx.Registry.V2.ClassCounts.Count(kv => kv.Value > 0), bars);
        await Expect(page.GetByTestId("report-errors")).ToHaveTextAsync("1");
        var grid = page.GetByTestId("findings-grid");
        await Expect(grid).ToContainTextAsync("yolo.coordinate_range");
        var thumbnail = grid.GetByTestId("thumbnail").First;
        await Expect(thumbnail).ToBeVisibleAsync();
        await page.WaitForFunctionAsync("() => [...document.querySelectorAll('[data-testid=thumbnail] img')].every(i => i.complete && i.naturalWidth > 0)");
        Assert.True(await thumbnail.Locator("svg rect").CountAsync() >= 1);
        await Browser.ScreenshotAsync(page, "datasets-v2");

        // The findings grid filters: only the planted error row remains when filtering the file column by its label file.
        var filter = grid.Locator("thead input.rz-textbox, thead input[type=text]").Nth(2);
        await filter.FillAsync("val_00000");
        await filter.PressAsync("Enter");
        await Expect(grid.Locator("tbody tr")).ToHaveCountAsync(1);
        await Expect(grid.Locator("tbody tr")).ToContainTextAsync("outside [0, 1]");
        await Expect(grid.Locator("tbody tr").GetByTestId("thumbnail").Locator("svg rect")).Not.ToHaveCountAsync(0);

        // Selecting v1 shows v1's counts.
        await versions.Nth(1).ClickAsync();
        await ExpectClassCountsAsync(page, fx.Registry.V1);
        await Expect(page.GetByTestId("findings")).ToContainTextAsync("sample@v1");
    }

    [Fact]
    public async Task DatasetsPage_DiffOfV1AndV2_ShowsTheAddedDeletedAndModifiedCounts()
    {
        var page = await OpenAsync();
        var diff = page.GetByTestId("diff");
        await Expect(diff.GetByTestId("diff-added")).ToHaveTextAsync("6");
        await Expect(diff.GetByTestId("diff-deleted")).ToHaveTextAsync("4");
        await Expect(diff.GetByTestId("diff-modified")).ToHaveTextAsync("1");
        await Expect(diff.GetByTestId("diff-annotations")).ToHaveTextAsync("6");
        var grid = diff.GetByTestId("diff-grid");
        await Expect(grid.Locator("tbody tr")).ToHaveCountAsync(10); // 11 changed files, 10 per page
        await Expect(grid.Locator(".rz-pager")).ToContainTextAsync("2");
        await Browser.ScreenshotAsync(page, "datasets-diff");
        var pathFilter = grid.Locator("thead input").Nth(1);
        await pathFilter.FillAsync("val_00000");
        await pathFilter.PressAsync("Enter");
        await Expect(grid.Locator("tbody tr")).ToHaveCountAsync(1);
        await Expect(grid.Locator("tbody tr")).ToContainTextAsync("modified");

        // Reverse the comparison through the dropdowns: what was added is now deleted.
        await diff.GetByTestId("diff-from").ClickAsync();
        await page.Locator(".rz-dropdown-item:visible", new() { HasTextRegex = new Regex("^\\s*sample@v2\\s*$") }).ClickAsync();
        // The first list closes with an animation: opening the second while it is still shown would match its items twice.
        await Expect(page.Locator(".rz-dropdown-item:visible")).ToHaveCountAsync(0);
        await diff.GetByTestId("diff-to").ClickAsync();
        await page.Locator(".rz-dropdown-item:visible", new() { HasTextRegex = new Regex("^\\s*sample@v1\\s*$") }).ClickAsync();
        await diff.GetByTestId("diff-compare").ClickAsync();
        await Expect(diff.GetByTestId("diff-added")).ToHaveTextAsync("4");
        await Expect(diff.GetByTestId("diff-deleted")).ToHaveTextAsync("6");
        await Expect(diff.GetByTestId("diff-modified")).ToHaveTextAsync("1");
    }

    private async Task<IPage> OpenVersionAsync(string version)
    {
        var page = await fx.NewPageAsync();
        await page.GotoAsync($"datasets?dataset={Uri.EscapeDataString(SeededRegistry.Sample)}&version={Uri.EscapeDataString(version)}");
        await Browser.WaitForCircuitAsync(page);
        return page;
    }

    [Theory]
    [InlineData("commit")]
    [InlineData("short")]
    [InlineData("tag")]
    public async Task DatasetsPage_WithAVersionInTheQuery_OpensOnThatVersion_NotTheNewest(string form)
    {
        var v1 = fx.Registry.V1;
        var page = await OpenVersionAsync(form switch { "commit" => v1.Commit, "short" => v1.Commit[..7], _ => v1.Tag });

        await Expect(page.Locator($"[data-testid=version][data-commit='{v1.Commit}']")).ToHaveClassAsync(new Regex("obs-version-selected"));
        await Expect(page.Locator(".obs-version-selected")).ToHaveCountAsync(1);
        await Expect(page.GetByTestId("findings")).ToContainTextAsync("Validation findings of sample@v1");
        await ExpectClassCountsAsync(page, v1);
        await Expect(page.GetByTestId("version-not-found")).ToHaveCountAsync(0);
    }

    [Fact]
    public async Task DatasetsPage_WithAnUnknownVersionInTheQuery_SaysSo_AndShowsTheNewest()
    {
        var page = await OpenVersionAsync("no-such-tag");

        await Expect(page.GetByTestId("version-not-found")).ToContainTextAsync("no-such-tag");
        await Expect(page.Locator($"[data-testid=version][data-commit='{fx.Registry.V2.Commit}']")).ToHaveClassAsync(new Regex("obs-version-selected"));
        await ExpectClassCountsAsync(page, fx.Registry.V2);
        // Choosing a version answers the notice.
        await page.Locator($"[data-testid=version][data-commit='{fx.Registry.V1.Commit}']").ClickAsync();
        await Expect(page.GetByTestId("version-not-found")).ToHaveCountAsync(0);
    }

    [Fact]
    public async Task ValidationFindings_OnNonImageFiles_ShowAFileTypeIcon_NoBrokenImage_AndTheWholeMessage()
    {
        var page = await fx.NewPageAsync();
        await page.GotoAsync($"datasets?dataset={Uri.EscapeDataString(DashboardFixture.FindingsDataset)}");
        await Browser.WaitForCircuitAsync(page);
        var grid = page.GetByTestId("findings-grid");
        await Expect(grid.Locator("tbody tr")).ToHaveCountAsync(3, new() { Timeout = 30_000 });
        ILocator Row(string file) => grid.Locator("tbody tr", new() { HasText = file });

        // The annotation and the text file: an icon of their kind, no <img>.
        await Expect(Row("annotations.json").GetByTestId("file-icon")).ToHaveAttributeAsync("data-icon", "data_object");
        await Expect(Row("README.txt").GetByTestId("file-icon")).ToHaveAttributeAsync("data-icon", "description");
        await Expect(Row("annotations.json").Locator("img")).ToHaveCountAsync(0);
        await Expect(Row("README.txt").Locator("img")).ToHaveCountAsync(0);
        // The PNG whose bytes are not an image: its thumbnail gives way to an icon once the browser fails to decode it.
        await Expect(Row("broken.png").GetByTestId("file-icon")).ToHaveAttributeAsync("data-icon", "broken_image", new() { Timeout = 30_000 });
        Assert.Equal(0, await grid.EvaluateAsync<int>("g => [...g.querySelectorAll('img')].filter(i => !i.complete || i.naturalWidth === 0).length"));

        // The message is all there: in the cell's text, wrapped rather than cut, and as its hover title.
        var message = Row("annotations.json").GetByTestId("finding-message");
        await Expect(message).ToHaveTextAsync(NonImageFindingsValidation.LongMessage);
        await Expect(message).ToHaveAttributeAsync("title", NonImageFindingsValidation.LongMessage);
        Assert.True(await message.EvaluateAsync<bool>("m => { const c = m.closest('td'); return m.scrollWidth <= c.clientWidth + 1 && m.getBoundingClientRect().bottom <= c.getBoundingClientRect().bottom + 1; }"),
            "the message overflows its cell");
        await Browser.ScreenshotAsync(page, "datasets-findings-non-image");
    }

    [Fact]
    public async Task DatasetsPage_ForADatasetCommittedWithoutValidation_SaysItHasNoReport()
    {
        var page = await fx.NewPageAsync();
        await page.GotoAsync($"datasets?dataset={Uri.EscapeDataString(SeededRegistry.Plain)}");
        await Browser.WaitForCircuitAsync(page);
        await Expect(page.GetByTestId("no-report")).ToBeVisibleAsync();
        await Expect(page.GetByTestId("version-files")).ToHaveTextAsync(fx.Registry.PlainV1.Files.ToString(System.Globalization.CultureInfo.InvariantCulture));
        await Browser.ScreenshotAsync(page, "datasets-plain");
    }

    /// <summary>A dataset's images as written to disk, dataset-relative with '/', in the gallery's (ordinal path) order.</summary>
    private List<string> ImagesOnDisk(string dataset)
    {
        var root = fx.Registry.Git.PathOf(dataset);
        string[] extensions = [".jpg", ".jpeg", ".png", ".bmp", ".gif", ".webp", ".tif", ".tiff"];
        return Directory.GetFiles(root, "*", SearchOption.AllDirectories)
            .Where(f => extensions.Contains(Path.GetExtension(f).ToLowerInvariant()))
            .Select(f => Path.GetRelativePath(root, f).Replace('\\', '/'))
            .Order(StringComparer.Ordinal).ToList();
    }

    /// <summary>The non-empty rows of an image's YOLO label file (images/x/a.jpg → labels/x/a.txt), read from disk.</summary>
    private string[] LabelRows(string dataset, string image)
    {
        var label = fx.Registry.Git.PathOf($"{dataset}/{Path.ChangeExtension(image.Replace("images/", "labels/"), ".txt")}");
        return File.Exists(label) ? File.ReadAllLines(label).Where(l => l.Trim().Length > 0).ToArray() : [];
    }

    private static async Task<List<string>> GalleryPathsAsync(ILocator gallery) =>
        (await gallery.GetByTestId("gallery-item").EvaluateAllAsync<string[]>("items => items.map(i => i.dataset.path)")).ToList();

    [Fact]
    public async Task Gallery_PagesTheVersionsImages24AtATime_FiltersByClass_AndDrawsEachLabelRowAsABox()
    {
        var dataset = DashboardFixture.GalleryDataset;
        var expected = ImagesOnDisk(dataset);
        Assert.Equal(DashboardFixture.GalleryImages, expected.Count);
        var page = await fx.NewPageAsync();
        await page.GotoAsync($"datasets?dataset={Uri.EscapeDataString(dataset)}");
        await Browser.WaitForCircuitAsync(page);
        var gallery = page.GetByTestId("gallery");
        var items = gallery.GetByTestId("gallery-item");

        // Page 1: the first 24 images by path; page 2: the other 6; Next is then disabled and Previous goes back.
        await Expect(items).ToHaveCountAsync(24, new() { Timeout = 30_000 });
        await Expect(gallery.GetByTestId("gallery-total")).ToHaveTextAsync(expected.Count.ToString(System.Globalization.CultureInfo.InvariantCulture));
        Assert.Equal(expected.Take(24), await GalleryPathsAsync(gallery));
        await Expect(items.GetByTestId("thumbnail")).ToHaveCountAsync(24);
        await page.WaitForFunctionAsync("() => [...document.querySelectorAll('[data-testid=gallery] [data-testid=thumbnail] img')].every(i => i.complete && i.naturalWidth > 0)");
        await Browser.ScreenshotAsync(page, "datasets-gallery");

        // Each thumbnail draws one box per row of its label file (sampled: the first, a middle and the last of the page).
        foreach (var n in new[] { 0, 11, 23 })
        {
            var path = expected[n];
            await Expect(gallery.Locator($"[data-testid=gallery-item][data-path='{path}'] svg rect")).ToHaveCountAsync(LabelRows(dataset, path).Length);
        }
        Assert.Contains(expected.Take(24), p => LabelRows(dataset, p).Length > 0);

        await Expect(gallery.GetByTestId("gallery-prev")).ToBeDisabledAsync();
        await gallery.GetByTestId("gallery-next").ClickAsync();
        await Expect(items).ToHaveCountAsync(expected.Count - 24);
        Assert.Equal(expected.Skip(24), await GalleryPathsAsync(gallery));
        await Expect(gallery.GetByTestId("gallery-page")).ToHaveTextAsync("2");
        await Expect(gallery.GetByTestId("gallery-next")).ToBeDisabledAsync();
        await gallery.GetByTestId("gallery-prev").ClickAsync();
        await Expect(items).ToHaveCountAsync(24);
        Assert.Equal(expected.Take(24), await GalleryPathsAsync(gallery));

        // Class filter: exactly the images whose label file has a row of that class (a class some images lack, so the filter bites).
        var byClass = Enumerable.Range(0, SeededRegistry.Classes.Count)
            .Select(id => (Id: id, Images: expected.Where(p => LabelRows(dataset, p).Any(r => r.Split(' ')[0] == id.ToString(System.Globalization.CultureInfo.InvariantCulture))).ToList()))
            .Where(c => c.Images.Count > 0 && c.Images.Count < expected.Count && c.Images.Count <= 24).First();
        await gallery.GetByTestId("gallery-class").SelectOptionAsync(byClass.Id.ToString(System.Globalization.CultureInfo.InvariantCulture));
        await Expect(gallery.GetByTestId("gallery-total")).ToHaveTextAsync(byClass.Images.Count.ToString(System.Globalization.CultureInfo.InvariantCulture));
        await Expect(items).ToHaveCountAsync(byClass.Images.Count);
        Assert.Equal(byClass.Images, await GalleryPathsAsync(gallery));
        foreach (var path in byClass.Images.Take(3))
            await Expect(gallery.Locator($"[data-testid=gallery-item][data-path='{path}'] svg rect")).ToHaveCountAsync(LabelRows(dataset, path).Length);
        await gallery.GetByTestId("gallery-class").SelectOptionAsync("");
        await Expect(items).ToHaveCountAsync(24);
    }

    [Fact]
    public async Task Gallery_FilteredByAValidationRule_ShowsOnlyTheImagesWithAFindingOfIt()
    {
        var page = await OpenAsync();
        var gallery = page.GetByTestId("gallery");
        var all = ImagesOnDisk(SeededRegistry.Sample);
        await Expect(gallery.GetByTestId("gallery-total")).ToHaveTextAsync(all.Count.ToString(System.Globalization.CultureInfo.InvariantCulture), new() { Timeout = 30_000 });
        // The registry's one planted error is an out-of-range row appended to labels/val/val_00000.txt.
        await gallery.GetByTestId("gallery-rule").SelectOptionAsync("yolo.coordinate_range");
        await Expect(gallery.GetByTestId("gallery-item")).ToHaveCountAsync(1);
        var flagged = Assert.Single(all, p => Path.GetFileNameWithoutExtension(p) == "val_00000");
        Assert.Equal([flagged], await GalleryPathsAsync(gallery));
        await Expect(gallery.GetByTestId("gallery-item").Locator("svg rect")).ToHaveCountAsync(LabelRows(SeededRegistry.Sample, flagged).Length);
    }

    [Fact]
    public async Task DatasetsPage_DiffOfV1AndV2_ShowsBeforeAndAfterThumbnailsOfTheRelabelledImage()
    {
        var page = await OpenAsync();
        var pairs = page.GetByTestId("diff").GetByTestId("relabelled");
        // v2 changed one label file: a row appended to labels/val/val_00000.txt (see SeededRegistry), so v1 had one box fewer.
        await Expect(pairs).ToHaveCountAsync(1, new() { Timeout = 30_000 });
        var image = Assert.Single(ImagesOnDisk(SeededRegistry.Sample), p => Path.GetFileNameWithoutExtension(p) == "val_00000");
        await Expect(pairs).ToHaveAttributeAsync("data-path", image);
        var after = LabelRows(SeededRegistry.Sample, image).Length;
        await Expect(pairs.GetByTestId("relabelled-after").Locator("svg rect")).ToHaveCountAsync(after);
        await Expect(pairs.GetByTestId("relabelled-before").Locator("svg rect")).ToHaveCountAsync(after - 1);
    }
}
