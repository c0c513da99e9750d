using Bunit;
using Microsoft.Extensions.DependencyInjection;
using Observatory.Dashboard.Components.Pages;
using Observatory.Dashboard.Components.Shared;
using Observatory.DataService.Api.Tests.Seed;
using Observatory.DataService.Core.Operations;
using Observatory.DataService.Core.Queries;
using Observatory.Testing;
using Radzen;

namespace Observatory.Dashboard.Tests;

/// <summary>Component logic with bUnit, over real repositories (no fake catalog).</summary>
public sealed class ComponentTests : BunitContext
{
    public ComponentTests()
    {
        JSInterop.Mode = JSRuntimeMode.Loose;
        Services.AddRadzenComponents();
    }

    [Fact]
    public void AnnotatedThumbnail_DrawsEachYoloBoxFromItsCentreAndHighlightsTheFlaggedRow()
    {
        var image = new AnnotatedImage("data/x/images/a.jpg", new string('a', 64), 10, "data/x/labels/a.txt",
            [new YoloBox(0, "circle", 0.5, 0.5, 0.2, 0.4, 1), new YoloBox(2, "triangle", 0.9, 0.1, 0.4, 0.2, 2)]);
        var cut = Render<AnnotatedThumbnail>(p => p.Add(t => t.Image, image).Add(t => t.Highlight, 2));
        var rects = cut.FindAll("svg rect");
        Assert.Equal(2, rects.Count);
        Assert.Equal(("0.4", "0.3", "0.2", "0.4"), (rects[0].GetAttribute("x"), rects[0].GetAttribute("y"), rects[0].GetAttribute("width"), rects[0].GetAttribute("height")));
        Assert.Contains("obs-box-dim", rects[0].ClassList);
        Assert.Contains("obs-box-hl", rects[1].ClassList);
        Assert.Equal("objects/" + new string('a', 64) + "?name=a.jpg", cut.Find("img").GetAttribute("src"));
        Assert.NotNull(cut.Find("[data-testid=box-outside]")); // 0.9 + 0.4/2 > 1
        Assert.Contains("circle, triangle", cut.Find("figcaption").TextContent);
    }

    [Fact]
    public void ImageOrPlaceholder_WhenTheImageFailsToLoad_ShowsItsPlaceholder_AndANewAddressGetsAnotherTry()
    {
        var cut = Render<ImageOrPlaceholder>(p => p.Add(c => c.Uri, "objects/" + new string('b', 64) + "?name=b.png").Add(c => c.FailedText, "not in this registry"));
        cut.Find("img").TriggerEvent("onerror", new Microsoft.AspNetCore.Components.Web.ErrorEventArgs());
        Assert.Empty(cut.FindAll("img"));
        Assert.Equal("not in this registry", cut.Find("[data-testid=image-failed]").TextContent);
        cut.Render(p => p.Add(c => c.Uri, "objects/" + new string('c', 64) + "?name=c.png"));
        Assert.Equal("objects/" + new string('c', 64) + "?name=c.png", cut.Find("img").GetAttribute("src"));
    }

    [Fact]
    public async Task DatasetsPage_OverAnObsRepositoryWithNoDataset_ShowsTheEmptyState()
    {
        using var git = new GitSandbox("empty");
        await InitOperation.RunAsync(git.Root, SeededRegistry.Environment(), CancellationToken.None);
        Services.AddSingleton(new DatasetCatalog(git.Root, SeededRegistry.Environment()));
        var cut = Render<Datasets>();
        cut.WaitForAssertion(() => Assert.Contains("No datasets in the registry", cut.Find("[data-testid=datasets-empty]").TextContent), TimeSpan.FromSeconds(10));
    }

    [Fact]
    public void DatasetsPage_WhenTheStoreCannotBeOpened_ShowsAnErrorInsteadOfThrowing()
    {
        using var dir = new TempDirectory("not-a-repo");
        Services.AddSingleton(new DatasetCatalog(dir.Path, SeededRegistry.Environment()));
        var cut = Render<Datasets>();
        cut.WaitForAssertion(() => Assert.Contains("cannot be read", cut.Find("[data-testid=datasets-error]").TextContent), TimeSpan.FromSeconds(10));
        Assert.Contains(dir.Path, cut.Find("[data-testid=datasets-error]").TextContent);
    }

    [Theory]
    [InlineData(0, 3, "{0:HH:mm:ss}")]
    [InlineData(10, 3, "{0:HH:mm:ss}")]
    [InlineData(60, 12, "{0:HH:mm}")]
    [InlineData(60 * 24 * 7, 24, "{0:MM-dd HH:mm}")]
    [InlineData(60 * 24 * 365, 30, "{0:yyyy-MM-dd}")]
    public void TimeAxisTicks_AreFormattedFromTheSpanOfTheData_SoWindowsMinutesApartReadApart(int spanMinutes, int points, string expected)
    {
        var end = new DateTime(2026, 12, 6, 1, 39, 0, DateTimeKind.Utc);
        var times = Enumerable.Range(0, points).Select(i => end.AddMinutes(-spanMinutes * i / (double)Math.Max(1, points - 1))).ToList();
        var format = Observatory.Dashboard.Components.Pages.ModelFeatures.ModelFormat.TickFormat(times);
        Assert.Equal(expected, format);
        // Windows seconds or minutes apart inside a short span get distinct labels (the old fixed "MM-dd HH:mm" gave them one).
        if (spanMinutes is > 0 and <= 30)
            Assert.Equal(times.Count, times.Select(t => string.Format(System.Globalization.CultureInfo.InvariantCulture, format, t)).Distinct().Count());
    }
}
