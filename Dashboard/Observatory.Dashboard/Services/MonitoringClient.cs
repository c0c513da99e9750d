using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace Observatory.Dashboard.Services;

/// <summary>Monitoring is not configured, not reachable, or answered with an error; the message is fit for a person.</summary>
public sealed class MonitoringUnavailableException(string message, Exception? inner = null) : Exception(message, inner);

public sealed record MonitoredModelInfo(string Name, IReadOnlyList<string> Classes, double? BaselineAccuracy, string Schedule, string Window, int EmbeddingDimension);

public sealed record AlertInfo(string Id, string Model, string RuleId, string Severity, string Summary, string Detail, string State,
    DateTimeOffset FiredAt, DateTimeOffset? AcknowledgedAt, string? AcknowledgedBy, DateTimeOffset? ResolvedAt, DateTimeOffset? LastNotifiedAt, bool Silenced);

public sealed record DeliveryInfo(long NotificationId, string AlertId, string Channel, DateTimeOffset At, bool Success, int? StatusCode, string? Error);

public sealed record JobRunInfo(string Job, string? Model, DateTimeOffset StartedAt, DateTimeOffset FinishedAt, string Status, string? Error)
{
    public TimeSpan Duration => FinishedAt - StartedAt;
}

public sealed record JobStatusInfo(string Job, string? Model, string? Cron, DateTimeOffset? NextFireTime, DateTimeOffset? PreviousFireTime, JobRunInfo? LastRun);

/// <summary>One method's drift verdict for one window (embedding, prediction or confidence drift).</summary>
public sealed record MethodPoint(DateTime At, string Method, double Statistic, double? PValue, double Threshold, bool Drifted)
{
    /// <summary>The window end as a chart label (UTC).</summary>
    public string Label => At.ToString("MM-dd HH:mm", System.Globalization.CultureInfo.InvariantCulture);
}

/// <summary>Share of one predicted class (index into the model's classes) in the reference period and in a window.</summary>
public sealed record ClassShare(int Class, double Reference, double Current);

/// <summary>One drift window: when, how many events, whether it was flagged, every method's verdict, and the predicted-class shares.</summary>
public sealed record DriftWindow(DateTime WindowEnd, int EventCount, bool Flagged, IReadOnlyList<MethodPoint> Methods, IReadOnlyList<ClassShare> Classes)
{
    /// <summary>Share of embedding dimensions flagged by the per-dimension test (KS under its correction, else Wasserstein), when run.</summary>
    public double? ShareDrifted { get; init; }

    /// <summary>Per-feature drift of the interpretable image statistics; empty when no images were uploaded.</summary>
    public IReadOnlyList<ImageFeatureDrift> ImageFeatures { get; init; } = [];

    public ConfidenceBins? Confidence { get; init; }
}

/// <summary>One image statistic (brightness, sharpness, …) of one window: KS statistic and p-value, normed Wasserstein distance, moved or not.</summary>
public sealed record ImageFeatureDrift(string Feature, double? KsStatistic, double? PValue, double? Wasserstein, bool Moved);

/// <summary>Confidence counts per bin (edges over [0, 1]) of the reference period and of the window.</summary>
public sealed record ConfidenceBins(IReadOnlyList<double> Edges, IReadOnlyList<int> Reference, IReadOnlyList<int> Current);

public sealed record OutlierInfo(string Id, DateTimeOffset Timestamp, string PredictedClass, double Confidence, double Distance, string? ImageUri);

/// <summary>A reference item near the reference mean: an event (id, class, image) or, for a dataset version, a file (path, content hash).</summary>
public sealed record TypicalInfo(string? Id, double Distance, string? PredictedClass, string? ImageUri, string? Sha256 = null, string? Path = null);

/// <summary>The events of a drift window least like the reference, beside typical reference items (see the Monitoring API).</summary>
public sealed record OutliersInfo(DateTimeOffset WindowStart, DateTimeOffset WindowEnd, bool Flagged, int WindowEvents, string ReferenceSource,
    IReadOnlyList<OutlierInfo> Outliers, IReadOnlyList<TypicalInfo> Typical, string? Note);

/// <summary>Points of a chart and how many results the range holds before the service thinned it.</summary>
public sealed record Series<T>(IReadOnlyList<T> Points, int Total);

public sealed record EventCountInfo(DateTimeOffset Start, long Count);

/// <summary>Traffic of a model over the last minutes, by event timestamp.</summary>
public sealed record EventRateInfo(string Model, DateTimeOffset From, DateTimeOffset To, int BucketSeconds, long Total, double PerMinute, IReadOnlyList<EventCountInfo> Buckets);

public sealed record AccuracyPoint(DateTime WindowEnd, int EventCount, double? Accuracy, bool Estimated, double? Baseline);

/// <summary>Typed client over the Monitoring API (see Monitoring/Observatory.Monitoring.Api/README.md).</summary>
public sealed class MonitoringClient(HttpClient http, DashboardOptions options)
{
    /// <summary>The API returns at most this many alerts a request.</summary>
    public const int MaxResults = 1000;

    /// <summary>A chart series never carries more points than this (a year of hourly results would be 8,760); the service thins it.</summary>
    public const int MaxChartPoints = 300;

    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web)
    {
        NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals,
    };

    public bool IsConfigured => http.BaseAddress is not null;

    public Task<IReadOnlyList<MonitoredModelInfo>> ModelsAsync(CancellationToken ct) =>
        GetAsync("/api/models", root => (IReadOnlyList<MonitoredModelInfo>)root.EnumerateArray().Select(ParseModel).ToList(), ct);

    public Task<MonitoredModelInfo> ModelAsync(string name, CancellationToken ct) =>
        GetAsync($"/api/models/{Uri.EscapeDataString(name)}", ParseModel, ct);

    public Task<IReadOnlyList<AlertInfo>> AlertsAsync(string? model, string? state, CancellationToken ct)
    {
        // The state is filtered here: the API binds it as an enum name (case-sensitive), the dashboard speaks the JSON values.
        var query = $"/api/alerts?limit={MaxResults}" + (string.IsNullOrEmpty(model) ? "" : "&model=" + Uri.EscapeDataString(model));
        return GetAsync(query, root => (IReadOnlyList<AlertInfo>)root.Deserialize<List<AlertInfo>>(Json)!
            .Where(a => string.IsNullOrEmpty(state) || a.State == state).ToList(), ct);
    }

    public Task<IReadOnlyList<DeliveryInfo>> DeliveriesAsync(string alertId, CancellationToken ct) =>
        GetAsync($"/api/alerts/{Uri.EscapeDataString(alertId)}/deliveries", root => (IReadOnlyList<DeliveryInfo>)root.Deserialize<List<DeliveryInfo>>(Json)!, ct);

    public Task<IReadOnlyList<JobStatusInfo>> JobsAsync(CancellationToken ct) =>
        GetAsync("/api/jobs", root => (IReadOnlyList<JobStatusInfo>)root.Deserialize<List<JobStatusInfo>>(Json)!, ct);

    /// <summary>The newest <paramref name="limit"/> drift windows, oldest first (the Overview reads the latest one).</summary>
    public Task<IReadOnlyList<DriftWindow>> DriftAsync(string model, int limit, CancellationToken ct) =>
        GetAsync($"/api/models/{Uri.EscapeDataString(model)}/drift?limit={limit}",
            (root, _) => (IReadOnlyList<DriftWindow>)root.EnumerateArray().Select(ParseDrift).OrderBy(w => w.WindowEnd).ToList(), ct);

    /// <summary>
    /// Drift windows ending at or after <paramref name="from"/> (all when null), thinned by the service to at most
    /// <see cref="MaxChartPoints"/> (worst window of each bucket kept), with the range's size before thinning.
    /// </summary>
    public Task<Series<DriftWindow>> DriftSeriesAsync(string model, DateTimeOffset? from, CancellationToken ct) =>
        GetAsync(SeriesPath(model, "drift", from), (root, response) =>
            new Series<DriftWindow>(root.EnumerateArray().Select(ParseDrift).OrderBy(w => w.WindowEnd).ToList(), TotalCount(response, root)), ct);

    public Task<IReadOnlyList<AccuracyPoint>> AccuracyAsync(string model, int limit, CancellationToken ct) =>
        GetAsync($"/api/models/{Uri.EscapeDataString(model)}/accuracy?limit={limit}",
            (root, _) => (IReadOnlyList<AccuracyPoint>)root.EnumerateArray().Select(ParseAccuracy).OrderBy(p => p.WindowEnd).ToList(), ct);

    public Task<Series<AccuracyPoint>> AccuracySeriesAsync(string model, DateTimeOffset? from, CancellationToken ct) =>
        GetAsync(SeriesPath(model, "accuracy", from), (root, response) =>
            new Series<AccuracyPoint>(root.EnumerateArray().Select(ParseAccuracy).OrderBy(p => p.WindowEnd).ToList(), TotalCount(response, root)), ct);

    public Task<OutliersInfo> OutliersAsync(string model, DateTime windowEnd, int count, CancellationToken ct) =>
        GetAsync($"/api/models/{Uri.EscapeDataString(model)}/drift/outliers?count={count}&windowEnd="
            + Uri.EscapeDataString(new DateTimeOffset(windowEnd, TimeSpan.Zero).ToString("O", System.Globalization.CultureInfo.InvariantCulture)),
            root => root.Deserialize<OutliersInfo>(Json)!, ct);

    /// <summary>How many events the model has stored.</summary>
    public Task<long> EventCountAsync(string model, CancellationToken ct) =>
        GetAsync($"/api/models/{Uri.EscapeDataString(model)}/events/count", root => root.GetProperty("count").GetInt64(), ct);

    /// <summary>Events per minute over the last <paramref name="minutes"/> (by event timestamp).</summary>
    public Task<EventRateInfo> EventRateAsync(string model, int minutes, CancellationToken ct) =>
        GetAsync($"/api/models/{Uri.EscapeDataString(model)}/events/rate?minutes={minutes}", (root, _) => root.Deserialize<EventRateInfo>(Json)!, ct);

    private static string SeriesPath(string model, string kind, DateTimeOffset? from) =>
        $"/api/models/{Uri.EscapeDataString(model)}/{kind}?maxPoints={MaxChartPoints}&details=compact"
        + (from is { } f ? "&from=" + Uri.EscapeDataString(f.UtcDateTime.ToString("O", System.Globalization.CultureInfo.InvariantCulture)) : "");

    private static int TotalCount(HttpResponseMessage response, JsonElement root) =>
        response.Headers.TryGetValues("X-Total-Count", out var v) && int.TryParse(v.FirstOrDefault(), out var n) ? n : root.GetArrayLength();

    public Task AcknowledgeAsync(string alertId, string? by, CancellationToken ct) =>
        PostAsync($"/api/alerts/{Uri.EscapeDataString(alertId)}/acknowledge", new { by }, ct);

    public Task ResolveAsync(string alertId, string? by, CancellationToken ct) =>
        PostAsync($"/api/alerts/{Uri.EscapeDataString(alertId)}/resolve", new { by }, ct);

    /// <summary>Silences notifications of one model's rule for <paramref name="duration"/> (the alert is still recorded).</summary>
    public Task SilenceAsync(string model, string? ruleId, TimeSpan duration, string? comment, string? by, CancellationToken ct) =>
        PostAsync("/api/silences", new { model, ruleId, duration = duration.ToString("c"), comment = comment ?? "", createdBy = by ?? "dashboard" }, ct);

    public Task RunNowAsync(string job, string? model, CancellationToken ct) =>
        PostAsync(model is null ? $"/api/jobs/{Uri.EscapeDataString(job)}/run" : $"/api/models/{Uri.EscapeDataString(model)}/jobs/{Uri.EscapeDataString(job)}/run", null, ct);

    private Task<T> GetAsync<T>(string path, Func<JsonElement, T> parse, CancellationToken ct) => GetAsync(path, (root, _) => parse(root), ct);

    private async Task<T> GetAsync<T>(string path, Func<JsonElement, HttpResponseMessage, T> parse, CancellationToken ct)
    {
        EnsureConfigured();
        try
        {
            using var response = await http.GetAsync(path, ct);
            await EnsureSuccessAsync(response, ct);
            var root = await response.Content.ReadFromJsonAsync<JsonElement>(Json, ct);
            return parse(root, response);
        }
        catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException && !ct.IsCancellationRequested)
        {
            throw new MonitoringUnavailableException($"the monitoring service at {http.BaseAddress} cannot be reached ({ex.Message})", ex);
        }
        catch (JsonException ex)
        {
            throw new MonitoringUnavailableException($"the monitoring service answered with unexpected JSON ({ex.Message})", ex);
        }
    }

    private async Task PostAsync(string path, object? body, CancellationToken ct)
    {
        EnsureConfigured();
        using var request = new HttpRequestMessage(HttpMethod.Post, path);
        if (body is not null) request.Content = JsonContent.Create(body, options: Json);
        if (!string.IsNullOrEmpty(options.MonitoringApiKey)) request.Headers.Add("X-Api-Key", options.MonitoringApiKey);
        try
        {
            using var response = await http.SendAsync(request, ct);
            await EnsureSuccessAsync(response, ct);
        }
        catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException && !ct.IsCancellationRequested)
        {
            throw new MonitoringUnavailableException($"the monitoring service at {http.BaseAddress} cannot be reached ({ex.Message})", ex);
        }
    }

    private void EnsureConfigured()
    {
        if (http.BaseAddress is null)
            throw new MonitoringUnavailableException("no monitoring service is configured (set Dashboard:MonitoringUrl)");
    }

    private static async Task EnsureSuccessAsync(HttpResponseMessage response, CancellationToken ct)
    {
        if (response.IsSuccessStatusCode) return;
        var detail = "";
        try
        {
            var problem = await response.Content.ReadFromJsonAsync<JsonElement>(Json, ct);
            if (problem.ValueKind == JsonValueKind.Object && problem.TryGetProperty("detail", out var d)) detail = d.GetString() ?? "";
            else if (problem.ValueKind == JsonValueKind.Object && problem.TryGetProperty("title", out var t)) detail = t.GetString() ?? "";
        }
        catch (JsonException) { }
        throw new MonitoringUnavailableException($"the monitoring service answered {(int)response.StatusCode} {response.ReasonPhrase}{(detail.Length > 0 ? ": " + detail : "")}");
    }

    private static MonitoredModelInfo ParseModel(JsonElement m) => new(
        m.GetProperty("name").GetString()!,
        m.TryGetProperty("classes", out var c) && c.ValueKind == JsonValueKind.Array ? c.EnumerateArray().Select(x => x.GetString()!).ToList() : [],
        m.TryGetProperty("baselineAccuracy", out var b) && b.ValueKind == JsonValueKind.Number ? b.GetDouble() : null,
        m.TryGetProperty("schedule", out var s) ? s.GetString() ?? "" : "",
        m.TryGetProperty("window", out var w) ? w.GetString() ?? "" : "",
        m.TryGetProperty("embeddingDimension", out var e) && e.ValueKind == JsonValueKind.Number ? e.GetInt32() : 0);

    /// <summary>A drift result: its details hold the embedding, prediction and confidence reports, each with per-method verdicts.</summary>
    public static DriftWindow ParseDrift(JsonElement r)
    {
        var at = r.GetProperty("windowEnd").GetDateTimeOffset().UtcDateTime;
        var methods = new List<MethodPoint>();
        var classes = new List<ClassShare>();
        r.TryGetProperty("details", out var details);
        if (details.ValueKind == JsonValueKind.Object)
        {
            foreach (var (report, prefix) in new[] { ("embedding", ""), ("prediction", "prediction "), ("confidence", "confidence ") })
            {
                if (!details.TryGetProperty(report, out var rep) || rep.ValueKind != JsonValueKind.Object || !rep.TryGetProperty("methods", out var ms)) continue;
                foreach (var m in ms.EnumerateArray())
                {
                    if (report == "prediction" && classes.Count == 0 && m.TryGetProperty("details", out var pd) && pd.ValueKind == JsonValueKind.Object
                        && pd.TryGetProperty("classes", out var ks) && pd.TryGetProperty("reference_proportions", out var rp) && pd.TryGetProperty("current_proportions", out var cp))
                    {
                        var (k, r0, c0) = (ks.EnumerateArray().ToList(), rp.EnumerateArray().ToList(), cp.EnumerateArray().ToList());
                        for (var i = 0; i < Math.Min(k.Count, Math.Min(r0.Count, c0.Count)); i++) classes.Add(new ClassShare(k[i].GetInt32(), r0[i].GetDouble(), c0[i].GetDouble()));
                    }
                    methods.Add(new MethodPoint(at, prefix + m.GetProperty("method").GetString(), Number(m, "statistic") ?? 0, Number(m, "pValue"),
                        Number(m, "threshold") ?? 0, m.TryGetProperty("drifted", out var d) && d.ValueKind == JsonValueKind.True));
                }
            }
        }
        double? share = null;
        IReadOnlyList<ImageFeatureDrift> features = [];
        ConfidenceBins? confidence = null;
        if (details.ValueKind == JsonValueKind.Object)
        {
            share = ShareDrifted(details);
            features = ImageFeatures(details);
            if (details.TryGetProperty("confidenceHistogram", out var h) && h.ValueKind == JsonValueKind.Object)
                confidence = new ConfidenceBins(h.GetProperty("edges").EnumerateArray().Select(x => x.GetDouble()).ToList(),
                    h.GetProperty("reference").EnumerateArray().Select(x => x.GetInt32()).ToList(), h.GetProperty("current").EnumerateArray().Select(x => x.GetInt32()).ToList());
        }
        return new DriftWindow(at, r.GetProperty("eventCount").GetInt32(), r.GetProperty("flagged").GetBoolean(), methods, classes)
        {
            ShareDrifted = share, ImageFeatures = features, Confidence = confidence,
        };
    }

    private static JsonElement? Method(JsonElement details, string report, string method)
    {
        if (!details.TryGetProperty(report, out var rep) || rep.ValueKind != JsonValueKind.Object || !rep.TryGetProperty("methods", out var ms)) return null;
        foreach (var m in ms.EnumerateArray())
            if (m.GetProperty("method").GetString() == method && m.TryGetProperty("details", out var d) && d.ValueKind == JsonValueKind.Object) return d;
        return null;
    }

    private static double? ShareDrifted(JsonElement details)
    {
        if (Method(details, "embedding", "ks") is { } ks)
            return Number(ks, ks.TryGetProperty("correction", out var c) && c.GetString() == "fdr_bh" ? "share_drifted_fdr" : "share_drifted_bonferroni");
        return Method(details, "embedding", "wasserstein") is { } w ? Number(w, "share_drifted") : null;
    }

    /// <summary>The service decides image-statistics drift by KS up to 1,000 reference images and by Wasserstein beyond; "moved" follows it.</summary>
    private static IReadOnlyList<ImageFeatureDrift> ImageFeatures(JsonElement details)
    {
        if (!details.TryGetProperty("imageFeatureNames", out var names) || names.ValueKind != JsonValueKind.Array) return [];
        var ks = Method(details, "imageStatistics", "ks");
        var w = Method(details, "imageStatistics", "wasserstein");
        var referenceN = details.TryGetProperty("imageStatistics", out var rep) && rep.TryGetProperty("reference", out var refs) ? Number(refs, "n") ?? 0 : 0;
        double[] Array(JsonElement? e, string name) => e is { } x && x.TryGetProperty(name, out var a) && a.ValueKind == JsonValueKind.Array ? a.EnumerateArray().Select(v => v.GetDouble()).ToArray() : [];
        var ksCorrection = ks is { } k && k.TryGetProperty("correction", out var c) && c.GetString() == "fdr_bh" ? "drifted_dimensions_fdr" : "drifted_dimensions_bonferroni";
        var moved = (referenceN <= 1000 ? Array(ks, ksCorrection) : Array(w, "drifted_dimensions")).Select(v => (int)v).ToHashSet();
        var (stats, p, dist) = (Array(ks, "statistics"), Array(ks, "p_values"), Array(w, "values"));
        return names.EnumerateArray().Select((n, i) => new ImageFeatureDrift(n.GetString()!, i < stats.Length ? stats[i] : null, i < p.Length ? p[i] : null,
            i < dist.Length ? dist[i] : null, moved.Contains(i))).ToList();
    }

    public static AccuracyPoint ParseAccuracy(JsonElement r)
    {
        var at = r.GetProperty("windowEnd").GetDateTimeOffset().UtcDateTime;
        double? measured = null, estimated = null, baseline = null;
        if (r.TryGetProperty("details", out var d) && d.ValueKind == JsonValueKind.Object)
        {
            if (d.TryGetProperty("window", out var w)) { measured = Number(w, "accuracy"); estimated = Number(w, "estimatedAccuracy"); }
            baseline = Number(d, "baselineAccuracy");
        }
        return new AccuracyPoint(at, r.GetProperty("eventCount").GetInt32(), measured ?? estimated ?? Number(r, "value"), measured is null && estimated is not null, baseline);
    }

    private static double? Number(JsonElement e, string name) =>
        e.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.Number ? v.GetDouble() : null;
}
