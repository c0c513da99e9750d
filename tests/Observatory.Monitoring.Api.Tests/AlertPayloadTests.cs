using System.Text.Json;
using Observatory.Monitoring.Api.Infrastructure;
using Observatory.Monitoring.Api.Services;
using Observatory.Monitoring.Contracts;
using Observatory.Monitoring.Core.Alerts;
using Observatory.Testing;

namespace Observatory.Monitoring.Api.Tests;

/// <summary>
/// The webhook bodies, byte for byte against committed golden files (generic JSON and Slack): a receiver's parser, or a Slack
/// layout, breaks silently when a field moves. OBS_UPDATE_GOLDEN=1 rewrites the files after an intended change.
/// </summary>
public sealed class AlertPayloadTests
{
    private static readonly DateTimeOffset Fired = new(2026, 12, 6, 23, 20, 28, TimeSpan.Zero);

    /// <summary>A drift alert with the context the service takes when it fires.</summary>
    internal static Alert DriftAlert() => new()
    {
        Id = "2ff5c0de", Model = "shapes", RuleId = "embedding-drift", Severity = AlertSeverity.Warning,
        Summary = "retraining recommended: input drift in consecutive windows", Detail = "embedding drift in 3 consecutive window(s); threshold 3",
        State = AlertState.Firing, FiredAt = Fired, LastEvaluatedAt = Fired,
        Context = new AlertContext
        {
            ModelVersion = "1",
            Reference = new DriftReference(new ReferenceDataset("/srv/registry", "shapes-train.obs", "shapes-train@v2"), "5e9590f6c36d14bfe8aa5c72602496fef5ca8529885aa18063d427f2e2a084a0", null),
            WindowStart = Fired.AddMinutes(-30), WindowEnd = Fired, EventCount = 500,
            Statistics = [new("embedding", "mmd", 0.0570, 0.005, 0.05, true), new("prediction", "chi2", 3.2, 0.2, 0.05, false)],
            EmbeddingShareDrifted = 0.41,
            ImageStatistics = [new("brightness", 0.42, 0.61), new("sharpness", 0.083, 0.021)],
            WorstClasses = [new("triangle", 0.33, 0.12, 0.64, 0.9), new("circle", 0.34, 0.45, null)],
        },
    };

    public static TheoryData<string> Formats => new() { "json", "slack" };

    [Theory]
    [MemberData(nameof(Formats))]
    public void ThePayload_OfAFiringDriftAlert_IsTheGoldenFile(string format)
    {
        var hook = new WebhookOptions { Name = "sink", Url = "http://127.0.0.1:9/hook", Format = format };
        var payload = NotificationService.Payload(hook, DriftAlert(), NotificationKind.Firing, "https://observatory.example.com/");
        // As PostAsJsonAsync sends it (web defaults), indented only so the golden file reads well.
        var json = JsonSerializer.Serialize(payload, new JsonSerializerOptions(JsonSerializerDefaults.Web) { WriteIndented = true }) + "\n";
        var golden = Path.Combine(RepoLocator.Root, "tests", "Observatory.Monitoring.Api.Tests", "Golden", $"alert-{format}.json");
        if (Environment.GetEnvironmentVariable("OBS_UPDATE_GOLDEN") == "1") File.WriteAllText(golden, json);
        Assert.Equal(File.ReadAllText(golden), json);
    }

    [Fact]
    public void TheLink_OpensTheModelPageAtTheAlertsWindow_AndNoLinkWithoutADashboardUrl()
    {
        Assert.Equal("https://observatory.example.com/models/shapes?window=2026-12-06T23%3A20%3A28.0000000%2B00%3A00",
            NotificationService.Link("https://observatory.example.com/", DriftAlert()));
        Assert.Null(NotificationService.Link(null, DriftAlert()));
    }

    [Fact]
    public void TheContext_OfADriftRule_NamesTheDecidingTests_TheMovedImageStatistics_AndTheClassesThatMovedMost()
    {
        var model = new MonitoredModel { Name = "shapes", Classes = ["circle", "square", "triangle"], Version = "2" };
        var window = new WindowResult { Model = "shapes", WindowStart = Fired.AddMinutes(-30), WindowEnd = Fired, EventCount = 80, EmbeddingDrift = true,
            ModelVersions = new Dictionary<string, int> { ["1"] = 20, ["2"] = 60 } };
        var drift = new DriftRun(window,
            new DriftRunReport(null, null, [new("mmd", 0.05, 0.01, 0.05, true, null), new("ks", 0.3, 0.2, 0.05, false, null)]) { VerdictMethod = "mmd", Drifted = true },
            null, null, null)
        {
            ClassShares = [new(0, 0.33, 0.30), new(1, 0.33, 0.60), new(2, 0.34, 0.10)],
            ImageFeatures = [new("brightness", 0.5, 0.001, 0.4, true) { ReferenceMean = 0.4, CurrentMean = 0.7 }, new("contrast", 0.1, 0.5, 0.01, false)],
        };
        var rule = AlertRule.Defaults.Single(r => r.Kind == AlertRuleKind.EmbeddingDrift);
        var context = AlertContexts.For(rule, model, drift, null)!;
        Assert.Equal("2", context.ModelVersion);
        Assert.Equal(80, context.EventCount);
        Assert.Equal([("embedding", "mmd")], context.Statistics.Select(s => (s.Input, s.Method)));   // the deciding method only
        Assert.Equal([new MovedImageStatistic("brightness", 0.4, 0.7)], context.ImageStatistics);
        Assert.Equal(["square", "triangle", "circle"], context.WorstClasses.Select(c => c.Class));   // |Δshare| 0.27, 0.24, 0.03
        Assert.Null(AlertContexts.For(AlertRule.Defaults.Single(r => r.Kind == AlertRuleKind.NoTraffic), model, drift, null));
    }

    [Fact]
    public void TheWorstClasses_IncludeAClassWhoseRecallFell_ThoughItsShareOfPredictionsHeld()
    {
        var model = new MonitoredModel
        {
            Name = "shapes", Classes = ["circle", "square", "triangle"], Version = "2", BaselineAccuracy = 0.9,
            ClassBaselines = new Dictionary<string, double> { ["circle"] = 0.95 },
        };
        var window = new WindowResult { Model = "shapes", WindowStart = Fired.AddMinutes(-30), WindowEnd = Fired, EventCount = 400, EmbeddingDrift = true };
        var drift = new DriftRun(window, new DriftRunReport(null, null, [new("mmd", 0.05, 0.01, 0.05, true, null)]) { VerdictMethod = "mmd", Drifted = true }, null, null, null)
        {
            ClassShares = [new(0, 0.33, 0.32), new(1, 0.33, 0.43), new(2, 0.34, 0.25)],
        };
        var accuracy = new AccuracyRun(window, 400, new ClassificationScores(400, 0.78, 0.77, [0.55, 0.88, 0.9], [0.6, 0.8, 0.9], null), 0.9, 0, null);
        var rule = AlertRule.Defaults.Single(r => r.Kind == AlertRuleKind.EmbeddingDrift);

        var classes = AlertContexts.For(rule, model, drift, accuracy)!.WorstClasses;

        // circle: share −0.01 but recall 0.40 below its own 0.95 baseline; square: share +0.10; triangle: share −0.09, recall at baseline.
        Assert.Equal(["circle", "square", "triangle"], classes.Select(c => c.Class));
        Assert.Equal(0.95, classes[0].BaselineRecall);
        Assert.Equal(0.40, classes[0].RecallDrop!.Value, 1e-12);
        Assert.Equal(0.9, classes[1].BaselineRecall);   // the model's baseline where the class has none of its own
        Assert.Equal(0.02, classes[1].RecallDrop!.Value, 1e-12);
    }
}
