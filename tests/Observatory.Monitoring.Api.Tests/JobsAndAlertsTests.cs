using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Observatory.Monitoring.Api.Services;
using Observatory.Monitoring.Contracts;
using Observatory.Monitoring.Core.Alerts;
using Observatory.Monitoring.Core.Ports;

namespace Observatory.Monitoring.Api.Tests;

public sealed class JobsAndAlertsTests : IAsyncLifetime
{
    private const int Dim = 8;
    private readonly WebhookReceiver _receiver = new();
    private MonitoringServer _server = null!;
    private DateTimeOffset T0 => _server.Time.GetUtcNow();
    private IMonitoringStore Store => _server.Services.GetRequiredService<IMonitoringStore>();

    public async Task InitializeAsync()
    {
        _server = await MonitoringServer.StartAsync(new Dictionary<string, string?>
        {
            ["Monitoring:Webhooks:0:Name"] = "ops",
            ["Monitoring:Webhooks:0:Url"] = _receiver.Url("ops"),
            ["Monitoring:Webhooks:0:Format"] = "json",
            ["Monitoring:Webhooks:1:Name"] = "slack",
            ["Monitoring:Webhooks:1:Url"] = _receiver.Url("slack"),
            ["Monitoring:Webhooks:1:Format"] = "slack",
            ["Monitoring:RetryBaseDelaySeconds"] = "5",
        });
    }

    public async Task DisposeAsync()
    {
        await _server.DisposeAsync();
        await _receiver.DisposeAsync();
    }

    private async Task RegisterAsync(object rules) => await _server.RegisterAsync("shapes", new
    {
        classes = new[] { "circle", "square", "triangle" },
        embeddingDimension = Dim,
        baselineAccuracy = 0.9,
        referenceUntil = T0.AddHours(-2),
        window = "00:30:00",
        schedule = "0 0 0 1 1 ? 2099",
        driftMethods = new[] { "mmd" },
        alertRules = rules,
    });

    private async Task SendAsync(string prefix, int n, DateTimeOffset from, DateTimeOffset to, double shift, int seed)
    {
        var rng = new Random(seed);
        string[] classes = ["circle", "square", "triangle"];
        var events = Enumerable.Range(0, n).Select(i => new
        {
            id = $"{prefix}-{i}",
            timestamp = from + (to - from) * i / n,
            predictedClass = classes[rng.Next(3)],
            confidence = 0.7 + 0.3 * rng.NextDouble(),
            embedding = Enumerable.Range(0, Dim).Select(_ => (float)(Normal(rng) + shift)).ToArray(),
        }).ToArray();
        using var r = await _server.Client.PostAsJsonAsync("/api/models/shapes/events", new { events }, MonitoringServer.Json);
        Assert.Equal(HttpStatusCode.OK, r.StatusCode);
    }

    private static double Normal(Random rng) => Math.Sqrt(-2 * Math.Log(1 - rng.NextDouble())) * Math.Cos(2 * Math.PI * rng.NextDouble());

    private async Task RunNowAsync(string job)
    {
        var before = (await Store.ListJobRunsAsync("shapes", 1000)).Count(r => r.Job == job);
        using var r = await _server.Client.PostAsync($"/api/models/shapes/jobs/{job}/run", null);
        Assert.Equal(HttpStatusCode.Accepted, r.StatusCode);
        await Poll.UntilAsync(async () => (await Store.ListJobRunsAsync("shapes", 1000)).Count(x => x.Job == job) > before, $"{job} run");
        var last = (await Store.ListJobRunsAsync("shapes", 1)).First();
        Assert.True(last.Status == "succeeded", $"{job} job {last.Status}: {last.Error}");
    }

    private async Task<JsonElement[]> AlertsAsync() =>
        (await _server.Client.GetFromJsonAsync<JsonElement>("/api/alerts?model=shapes")).EnumerateArray().ToArray();

    [Fact]
    public async Task Metrics_AfterIngestionAndJobs_PassPromtoolCheckMetrics()
    {
        await RegisterAsync(Array.Empty<object>());
        await SendAsync("ref", 300, T0.AddHours(-3), T0.AddHours(-2), 0, 1);
        await SendAsync("cur1", 200, T0.AddMinutes(-25), T0, 1.0, 2);
        using (var bad = await _server.Client.PostAsJsonAsync("/api/models/shapes/events", new { events = new[] { new { id = "x" } } }))
            Assert.Equal(HttpStatusCode.BadRequest, bad.StatusCode);
        await RunNowAsync("drift");
        await RunNowAsync("accuracy");

        var metrics = await _server.Client.GetStringAsync("/metrics");
        // Names from the Meter instruments of MonitoringMetrics (meter "Observatory"). prometheus-net's MeterAdapter exposes .NET
        // counters as gauges, so the _total suffix is gone (promtool rejects it on a gauge); the hand-written text used to expose
        // the job durations as a counter named observatory_job_duration_seconds_sum, which promtool rejects too.
        Assert.Contains("observatory_events_ingested{model=\"shapes\"} 500", metrics);
        Assert.Contains("observatory_batches_rejected 1", metrics);
        Assert.Contains("observatory_job_runs{job=\"drift\",status=\"succeeded\"} 1", metrics);
        Assert.Contains("# TYPE observatory_job_duration_seconds histogram", metrics);
        Assert.Contains("observatory_drift_score{method=\"embedding_mmd\",model=\"shapes\"}", metrics);
        Assert.Contains("http_server_request_duration", metrics);

        var (exit, output) = await Observatory.Testing.Promtool.CheckMetricsAsync(metrics);
        Assert.True(exit == 0 && output.Length == 0, $"promtool check metrics exited {exit}:\n{output}\n--- exposition ---\n{metrics}");
    }

    [Fact]
    public async Task DriftScenario_FiresAfterConsecutiveDriftedWindows_ThenResolvesWhenTrafficIsBackToNormal()
    {
        await _receiver.StartAsync();
        await RegisterAsync(new[] { new { id = "embedding-drift", kind = "embeddingDrift", severity = "warning", consecutiveWindows = 2, summary = "retraining recommended" } });
        await SendAsync("ref", 300, T0.AddHours(-3), T0.AddHours(-2), 0, 1);
        await SendAsync("cur1", 200, T0.AddMinutes(-25), T0, 1.0, 2);

        await RunNowAsync("drift");
        Assert.Empty(await AlertsAsync());
        var drift = await _server.Client.GetFromJsonAsync<JsonElement>("/api/models/shapes/drift");
        Assert.True(drift[0].GetProperty("details").GetProperty("window").TryGetProperty("embeddingDrift", out var embeddingDrift), drift.ToString());
        Assert.True(embeddingDrift.GetBoolean());

        _server.Time.Advance(TimeSpan.FromMinutes(5));
        await RunNowAsync("drift");
        var alert = Assert.Single(await AlertsAsync());
        Assert.Equal("firing", alert.GetProperty("state").GetString());
        Assert.Equal("embedding-drift", alert.GetProperty("ruleId").GetString());

        await Poll.UntilAsync(() => Task.FromResult(_receiver.Received.Count >= 2), "firing notifications on both channels");
        var json = _receiver.Received.Single(r => r.Path == "ops").Body;
        Assert.Equal("firing", json.GetProperty("status").GetString());
        Assert.Equal("shapes", json.GetProperty("model").GetString());
        // What the receiver needs to act: Alertmanager's fields and the window that made it fire, with the deciding test.
        Assert.Equal("embedding-drift", json.GetProperty("labels").GetProperty("alertname").GetString());
        Assert.Equal("1", json.GetProperty("labels").GetProperty("modelVersion").GetString());
        var context = json.GetProperty("context");
        Assert.Equal(200, context.GetProperty("eventCount").GetInt32());
        var registered = await _server.Client.GetFromJsonAsync<JsonElement>("/api/models/shapes");
        Assert.Equal(registered.GetProperty("referenceUntil").GetDateTimeOffset(), context.GetProperty("reference").GetProperty("until").GetDateTimeOffset());
        var trigger = context.GetProperty("statistics")[0];
        Assert.Equal(("embedding", "mmd", true), (trigger.GetProperty("input").GetString(), trigger.GetProperty("method").GetString(), trigger.GetProperty("drifted").GetBoolean()));
        var slack = _receiver.Received.Single(r => r.Path == "slack").Body;
        Assert.Contains(slack.GetProperty("attachments")[0].GetProperty("fields").EnumerateArray(), f => f.GetProperty("title").GetString() == "Triggered by");
        Assert.Contains("FIRING", slack.GetProperty("text").GetString());
        Assert.Equal("warning", slack.GetProperty("attachments")[0].GetProperty("color").GetString());

        // An hour later the window holds only normal traffic.
        _server.Time.Advance(TimeSpan.FromHours(1));
        await SendAsync("cur2", 200, T0.AddMinutes(-25), T0, 0, 3);
        await RunNowAsync("drift");
        alert = Assert.Single(await AlertsAsync());
        Assert.Equal("resolved", alert.GetProperty("state").GetString());
        await Poll.UntilAsync(() => Task.FromResult(_receiver.Received.Count >= 4), "resolved notifications");
        Assert.Equal("resolved", _receiver.Received.Last(r => r.Path == "ops").Body.GetProperty("status").GetString());
    }

    [Fact]
    public async Task ADriftAlert_ResolvesAfterTheQuietWindowsItsRuleAsksFor_NotAtTheFirstCalmWindow()
    {
        using (var bad = await _server.Client.PutAsJsonAsync("/api/models/shapes", new
        {
            classes = new[] { "circle" }, alertRules = new[] { new { id = "d", kind = "embeddingDrift", quietWindowsToResolve = 0 } },
        }))
        {
            Assert.Equal(HttpStatusCode.BadRequest, bad.StatusCode);
            Assert.Contains("alertRules[0].quietWindowsToResolve", await bad.Content.ReadAsStringAsync());
        }
        await RegisterAsync(new[] { new { id = "embedding-drift", kind = "embeddingDrift", severity = "warning", consecutiveWindows = 1, quietWindowsToResolve = 2, summary = "retraining recommended" } });
        await SendAsync("ref", 300, T0.AddHours(-3), T0.AddHours(-2), 0, 1);
        await SendAsync("cur1", 200, T0.AddMinutes(-25), T0, 1.0, 2);
        await RunNowAsync("drift");
        Assert.Equal("firing", Assert.Single(await AlertsAsync()).GetProperty("state").GetString());

        for (var calm = 1; calm <= 2; calm++)
        {
            _server.Time.Advance(TimeSpan.FromHours(1));
            await SendAsync($"calm{calm}", 200, _server.Time.GetUtcNow().AddMinutes(-25), _server.Time.GetUtcNow(), 0, 10 + calm);
            await RunNowAsync("drift");
            var alert = Assert.Single(await AlertsAsync());
            Assert.Equal(calm == 1 ? "firing" : "resolved", alert.GetProperty("state").GetString());
            if (calm == 1) Assert.Contains("resolves after 2 quiet window(s)", alert.GetProperty("detail").GetString());
        }
    }

    [Fact]
    public async Task AClassWhoseRecallFellBelowItsBaseline_FiresClassRecallBelow_NamingIt()
    {
        using (var bad = await _server.Client.PutAsJsonAsync("/api/models/shapes", new { classes = new[] { "circle" }, classBaselines = new Dictionary<string, double> { ["hexagon"] = 0.9 } }))
        {
            Assert.Equal(HttpStatusCode.BadRequest, bad.StatusCode);
            Assert.Contains("classBaselines.hexagon", await bad.Content.ReadAsStringAsync());
        }
        await _server.RegisterAsync("classes", new
        {
            classes = new[] { "circle", "square" }, baselineAccuracy = 0.9, classBaselines = new Dictionary<string, double> { ["square"] = 0.5 },
            window = "00:30:00", schedule = "0 0 0 1 1 ? 2099",
            alertRules = new[] { new { id = "class-recall", kind = "classRecallBelow", severity = "critical", minLabelled = 20, summary = "a class is recognised worse than it was" } },
        });
        // 30 circles, 12 of them called squares (recall 0.6 < 0.9 − 0.05); 30 squares, 18 right (0.6, over its own 0.5 baseline).
        var events = Enumerable.Range(0, 60).Select(i => new
        {
            id = $"e{i}", timestamp = T0.AddMinutes(-20).AddSeconds(i), confidence = 0.8,
            trueClass = i < 30 ? "circle" : "square",
            predictedClass = i < 30 ? (i < 12 ? "square" : "circle") : (i < 48 ? "square" : "circle"),
        }).ToArray();
        using (var r = await _server.Client.PostAsJsonAsync("/api/models/classes/events", new { events }, MonitoringServer.Json))
            Assert.Equal(HttpStatusCode.OK, r.StatusCode);
        await _server.Services.GetRequiredService<AccuracyService>().RunAsync("classes", CancellationToken.None);
        await _server.Services.GetRequiredService<AlertService>().EvaluateAsync("classes", CancellationToken.None);
        var window = (await _server.Client.GetFromJsonAsync<JsonElement>("/api/models/classes/accuracy"))[0].GetProperty("details").GetProperty("window");
        Assert.Equal(0.6, window.GetProperty("classRecall").GetProperty("circle").GetDouble(), 12);
        Assert.Equal(30, window.GetProperty("classLabelled").GetProperty("circle").GetInt32());
        var alert = Assert.Single((await _server.Client.GetFromJsonAsync<JsonElement>("/api/alerts?model=classes")).EnumerateArray());
        Assert.Equal("class-recall", alert.GetProperty("ruleId").GetString());
        Assert.Contains("circle 0.6 (baseline 0.9, 30 labelled)", alert.GetProperty("detail").GetString());
        Assert.DoesNotContain("square", alert.GetProperty("detail").GetString());
    }

    [Fact]
    public async Task EndpointHealth_LatencyAndErrorsSentWithEvents_AreMeasuredPerWindow_AndFireTheirRules()
    {
        await _server.RegisterAsync("endpoint", new
        {
            classes = new[] { "circle", "square" }, window = "00:30:00", schedule = "0 0 0 1 1 ? 2099",
            alertRules = new object[]
            {
                new { id = "errors", kind = "errorRateAbove", threshold = 0.1, summary = "the endpoint fails too often" },
                new { id = "slow", kind = "latencyP95Above", threshold = 200.0, summary = "the endpoint is slow" },
            },
        });
        // 40 events: latencies 10, 20, …, 400 ms (p95 by nearest rank: the 38th, 380 ms); 5 of them failed (12.5 %).
        var events = Enumerable.Range(0, 40).Select(i => new
        {
            id = $"h{i}", timestamp = T0.AddMinutes(-20).AddSeconds(i), predictedClass = "circle", confidence = 0.9,
            latencyMs = 10.0 * (i + 1), error = i % 7 == 0 && i > 0 ? "upstream 503" : null,
        }).ToArray();
        using (var r = await _server.Client.PostAsJsonAsync("/api/models/endpoint/events", new { events }, MonitoringServer.Json))
            Assert.Equal(HttpStatusCode.OK, r.StatusCode);
        var run = (await _server.Services.GetRequiredService<DriftService>().RunAsync("endpoint", CancellationToken.None))!;
        Assert.Equal(380, run.Window.LatencyP95Ms!.Value, 9);
        Assert.Equal(5 / 40.0, run.Window.ErrorRate!.Value, 12);
        await _server.Services.GetRequiredService<AlertService>().EvaluateAsync("endpoint", CancellationToken.None);
        var fired = (await _server.Client.GetFromJsonAsync<JsonElement>("/api/alerts?model=endpoint")).EnumerateArray().Select(a => a.GetProperty("ruleId").GetString()).Order().ToList();
        Assert.Equal(["errors", "slow"], fired);

        using var bad = await _server.Client.PutAsJsonAsync("/api/models/endpoint", new { classes = new[] { "circle" }, alertRules = new[] { new { id = "e", kind = "errorRateAbove" } } });
        Assert.Equal(HttpStatusCode.BadRequest, bad.StatusCode);
        Assert.Contains("alertRules[0].threshold", await bad.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task Webhook_WhenReceiverDown_RetriesWithBackoffAndDeliversWhenItIsBack()
    {
        await RegisterAsync(new[] { new { id = "quiet", kind = "noTraffic", severity = "warning", noTrafficPeriod = "01:00:00", summary = "no traffic" } });
        await SendAsync("old", 30, T0.AddHours(-1.5), T0.AddHours(-1.2), 0, 4);
        await RunNowAsync("drift");
        var alert = Assert.Single(await AlertsAsync());
        var id = alert.GetProperty("id").GetString()!;

        // Receiver down: connection refused. Each retry is due after the backoff (fake clock), and each attempt is recorded.
        await Poll.UntilAsync(async () => (await Store.ListDeliveryAttemptsAsync(id, 100)).Count >= 2, "first failed attempts");
        _server.Time.Advance(TimeSpan.FromSeconds(11));
        await Poll.UntilAsync(async () => (await Store.ListDeliveryAttemptsAsync(id, 100)).Count >= 4, "retries after backoff");
        Assert.All(await Store.ListDeliveryAttemptsAsync(id, 100), a => Assert.False(a.Success));
        Assert.Empty(await Store.DueNotificationsAsync(_server.Time.GetUtcNow(), 10));

        await _receiver.StartAsync();
        _server.Time.Advance(TimeSpan.FromMinutes(10));
        await Poll.UntilAsync(() => Task.FromResult(_receiver.Received.Count >= 2), "delivery after the receiver is back");
        var attempts = (await _server.Client.GetFromJsonAsync<JsonElement>($"/api/alerts/{id}/deliveries")).EnumerateArray().ToArray();
        Assert.Equal(2, attempts.Count(a => a.GetProperty("success").GetBoolean()));
        Assert.True(attempts.Count(a => !a.GetProperty("success").GetBoolean()) >= 4);
        Assert.Equal(["ops", "slack"], _receiver.Received.Select(r => r.Path).Order().ToArray());
    }

    [Fact]
    public async Task Alerts_AcknowledgeSilenceAndAccuracyJobOverHttp()
    {
        await _receiver.StartAsync();
        await RegisterAsync(new[] { new { id = "accuracy", kind = "accuracyBelowBaseline", severity = "critical", tolerance = 0.05, summary = "retraining needed" } });
        await SendAsync("ref", 100, T0.AddHours(-3), T0.AddHours(-2), 0, 5);
        await SendAsync("cur", 100, T0.AddMinutes(-20), T0, 0, 6);
        // Half of the current window is labelled wrong: accuracy 0.5 < 0.9 − 0.05.
        var current = await Store.GetEventsAsync("shapes", T0.AddHours(-1), T0.AddHours(1), 1000, false);
        var feedback = current.Select((e, i) => new { id = e.Id, trueClass = i % 2 == 0 ? e.PredictedClass : e.PredictedClass == "circle" ? "square" : "circle" }).ToArray();
        (await _server.Client.PostAsJsonAsync("/api/models/shapes/feedback", new { feedback })).Dispose();

        await RunNowAsync("accuracy");
        var acc = await _server.Client.GetFromJsonAsync<JsonElement>("/api/models/shapes/accuracy");
        Assert.Equal(0.5, acc[0].GetProperty("value").GetDouble(), 6);
        var alert = Assert.Single(await AlertsAsync());
        Assert.Equal("critical", alert.GetProperty("severity").GetString());
        var id = alert.GetProperty("id").GetString()!;

        // A body smaller than the read buffer the service starts with, under a limit (16 KB) smaller than that buffer too.
        using (var r = await _server.Client.PostAsJsonAsync($"/api/alerts/{id}/acknowledge", new { by = "ops" }))
        {
            Assert.Equal(HttpStatusCode.OK, r.StatusCode);
            var acked = await r.Content.ReadFromJsonAsync<JsonElement>();
            Assert.Equal(("acknowledged", "ops"), (acked.GetProperty("state").GetString(), acked.GetProperty("acknowledgedBy").GetString()));
        }
        using (var r = await _server.Client.PostAsync($"/api/alerts/{id}/resolve", null))
            Assert.Equal("resolved", (await r.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("state").GetString());

        // A silence is bounded (hardening, low): longer than 90 days is a 400 naming the duration.
        using (var r = await _server.Client.PostAsJsonAsync("/api/silences", new { model = "shapes", ruleId = "accuracy", duration = "91.00:00:00" }))
        {
            Assert.Equal(HttpStatusCode.BadRequest, r.StatusCode);
            Assert.Contains("at most 90 days", (await r.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("errors").GetProperty("duration")[0].GetString());
        }
        // Silenced: the next firing is recorded but sends nothing.
        using (var r = await _server.Client.PostAsJsonAsync("/api/silences", new { model = "shapes", ruleId = "accuracy", duration = "02:00:00" }))
            Assert.Equal(HttpStatusCode.Created, r.StatusCode);
        await RunNowAsync("accuracy");
        var again = (await AlertsAsync()).Single(a => a.GetProperty("state").GetString() == "firing");
        // The state filter takes the words the JSON uses, in any case; anything else is a 400 naming the field.
        var firing = await _server.Client.GetFromJsonAsync<JsonElement>("/api/alerts?model=shapes&state=firing");
        Assert.Equal(again.GetProperty("id").GetString(), Assert.Single(firing.EnumerateArray().ToArray()).GetProperty("id").GetString());
        Assert.Single((await _server.Client.GetFromJsonAsync<JsonElement>("/api/alerts?model=shapes&state=Resolved")).EnumerateArray().ToArray());
        using (var bad = await _server.Client.GetAsync("/api/alerts?state=open"))
        {
            Assert.Equal(HttpStatusCode.BadRequest, bad.StatusCode);
            Assert.Contains("state", await bad.Content.ReadAsStringAsync());
        }
        Assert.True(again.GetProperty("silenced").GetBoolean());
        var silencedId = again.GetProperty("id").GetString();
        Assert.DoesNotContain(await Store.DueNotificationsAsync(_server.Time.GetUtcNow().AddDays(1), 100), n => n.AlertId == silencedId);
        Assert.Empty(await Store.ListDeliveryAttemptsAsync(silencedId, 100));

        var jobs = await _server.Client.GetFromJsonAsync<JsonElement>("/api/models/shapes/jobs");
        Assert.Contains(jobs.EnumerateArray(), j => j.GetProperty("job").GetString() == "accuracy" && j.GetProperty("lastRun").GetProperty("status").GetString() == "succeeded");
    }
}
