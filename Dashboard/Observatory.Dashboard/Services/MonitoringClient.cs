using System.Net.Http.Json;
using System.Text.Json;
using Observatory.Monitoring.Contracts;

namespace Observatory.Dashboard.Services;

/// <summary>Monitoring is not configured, not reachable, or answered with an error; the message is fit for a person.</summary>
public sealed class MonitoringUnavailableException(string message, Exception? inner = null) : Exception(message, inner)
{
    /// <summary>The service's HTTP status when it answered with an error (404: no such model), null when it was not reached.</summary>
    public int? StatusCode { get; init; }
}

/// <summary>One method's drift verdict for one window (embedding, prediction or confidence drift).</summary>
public sealed record MethodPoint(DateTime At, string Method, double Statistic, double? PValue, double Threshold, bool Drifted)
{
    /// <summary>The window end as a chart label (UTC).</summary>
    public string Label => At.ToString("MM-dd HH:mm", System.Globalization.CultureInfo.InvariantCulture);
}

/// <summary>One drift window as the charts plot it: when, how many events, whether it was flagged, every method's verdict, and the service's verdicts.</summary>
public sealed record DriftWindow(DateTime WindowEnd, int EventCount, bool Flagged, IReadOnlyList<MethodPoint> Methods, IReadOnlyList<ClassShare> Classes)
{
    /// <summary>Share of embedding dimensions flagged by the per-dimension test, as the service computed it, when run.</summary>
    public double? ShareDrifted { get; init; }

    /// <summary>Per-feature drift of the interpretable image statistics, as the service decided it; empty when no images were uploaded.</summary>
    public IReadOnlyList<ImageFeatureVerdict> ImageFeatures { get; init; } = [];

    public HistogramBins? Confidence { get; init; }

    /// <summary>Events per model version in the window (null before versions were kept).</summary>
    public IReadOnlyDictionary<string, int>? Versions { get; init; }

    /// <summary>Each version's own embedding-drift verdict, when two or more versions served the window.</summary>
    public IReadOnlyDictionary<string, bool>? DriftByVersion { get; init; }

    /// <summary>
    /// Any drift verdict of the window: embedding, prediction or confidence. The stored flag (<see cref="Flagged"/>) counts only
    /// embedding and prediction drift, so a window whose confidences alone moved would read as quiet on the Model page.
    /// </summary>
    public bool Drifted { get; init; }

    /// <summary>What the window was compared against (null in results stored before it was recorded).</summary>
    public DriftReference? Reference { get; init; }

    /// <summary>Endpoint health the clients reported: share of events with an error, and the p95 latency (null when not reported).</summary>
    public double? ErrorRate { get; init; }
    public double? LatencyP95Ms { get; init; }

    /// <summary>The service's reasons for what it could not measure in this window (e.g. a reference period too small).</summary>
    public string? Note { get; init; }

    /// <summary>Chart points of one listed window; every verdict is the service's, read from its typed record.</summary>
    public static DriftWindow From(DriftWindowResult r)
    {
        var at = r.WindowEnd.UtcDateTime;
        var run = r.Details;
        var methods = new List<MethodPoint>();
        foreach (var (report, prefix) in new[] { (run?.Embedding, ""), (run?.Prediction, "prediction "), (run?.Confidence, "confidence ") })
            foreach (var m in report?.Methods ?? [])
                methods.Add(new MethodPoint(at, prefix + m.Method, m.Statistic, m.PValue, m.Threshold, m.Drifted));
        return new DriftWindow(at, r.EventCount, r.Flagged, methods, run?.ClassShares ?? [])
        {
            ShareDrifted = run?.EmbeddingShareDrifted, ImageFeatures = run?.ImageFeatures ?? [], Confidence = run?.ConfidenceHistogram,
            Drifted = r.Flagged || run?.Window is { PredictionDrift: true } or { ConfidenceDrift: true } or { EmbeddingDrift: true },
            Note = run?.Note,
            Versions = run?.Window?.ModelVersions,
            Reference = run?.Reference,
            ErrorRate = run?.Window?.ErrorRate,
            LatencyP95Ms = run?.Window?.LatencyP95Ms,
            DriftByVersion = run?.EmbeddingByVersion?.ToDictionary(kv => kv.Key, kv => kv.Value.Drifted == true),
        };
    }
}

public sealed record AccuracyPoint(DateTime WindowEnd, int EventCount, double? Accuracy, bool Estimated, double? Baseline)
{
    /// <summary>The service's verdict that <see cref="Accuracy"/> is below the baseline − tolerance (null: no baseline or no accuracy).</summary>
    public bool? BelowBaseline { get; init; }

    /// <summary>Lower end of the 95 % interval of <see cref="Accuracy"/> (exact for measured, the sampling band for an estimate); null in results stored before intervals.</summary>
    public double? Lower { get; init; }

    /// <summary>Upper end of that interval: the service flags the window only when it is under baseline − tolerance.</summary>
    public double? Upper { get; init; }

    /// <summary>Events per model version in the window (null before versions were kept).</summary>
    public IReadOnlyDictionary<string, int>? Versions { get; init; }

    /// <summary>Measured accuracy of each version's labelled events in the window.</summary>
    public IReadOnlyDictionary<string, double>? ByVersion { get; init; }

    /// <summary>Macro-F1, per-class recall and the confusion matrix of the window's labelled events (null without feedback).</summary>
    public ClassificationScores? Scores { get; init; }

    public static AccuracyPoint From(AccuracyWindowResult r) =>
        new(r.WindowEnd.UtcDateTime, r.EventCount, r.Details?.Shown ?? r.Value, r.Details?.Estimated ?? false, r.Details?.BaselineAccuracy)
        {
            BelowBaseline = r.Details?.Window?.AccuracyBelowBaseline,
            // The interval of whichever accuracy is shown: measured when the window has feedback, else the estimate.
            Lower = r.Details?.Window is { Accuracy: not null } w ? w.AccuracyLower : r.Details?.Window?.EstimatedAccuracyLower,
            Upper = r.Details?.Window is { Accuracy: not null } v ? v.AccuracyUpper : r.Details?.Window?.EstimatedAccuracyUpper,
            Versions = r.Details?.Window?.ModelVersions,
            ByVersion = r.Details?.Window?.AccuracyByVersion,
            Scores = r.Details?.Metrics,
        };
}

/// <summary>Typed client over the Monitoring API (see Monitoring/Observatory.Monitoring.Api/README.md).</summary>
public sealed class MonitoringClient(HttpClient http, DashboardOptions options)
{
    /// <summary>The API returns at most this many alerts a request.</summary>
    public const int MaxResults = 1000;

    /// <summary>A chart series never carries more points than this (a year of hourly results would be 8,760); the service thins it.</summary>
    public const int MaxChartPoints = 300;

    private static readonly JsonSerializerOptions Json = MonitoringJson.Options;

    public bool IsConfigured => http.BaseAddress is not null;

    public async Task<IReadOnlyList<MonitoredModel>> ModelsAsync(CancellationToken ct) => await GetAsync<List<MonitoredModel>>("/api/models", ct);

    public Task<MonitoredModel> ModelAsync(string name, CancellationToken ct) => GetAsync<MonitoredModel>($"/api/models/{Uri.EscapeDataString(name)}", ct);

    /// <summary>The state filter of alerts not resolved yet (firing or acknowledged); the service has no such state, the client filters.</summary>
    public const string OpenState = "open";

    /// <param name="state">Only alerts in this state (its JSON name, e.g. "firing", or <see cref="OpenState"/>); all when null or empty.</param>
    public async Task<IReadOnlyList<Alert>> AlertsAsync(string? model, string? state, CancellationToken ct)
    {
        var query = $"/api/alerts?limit={MaxResults}" + (string.IsNullOrEmpty(model) ? "" : "&model=" + Uri.EscapeDataString(model));
        var alerts = await GetAsync<List<Alert>>(query, ct);
        if (string.IsNullOrEmpty(state)) return alerts;
        if (string.Equals(state, OpenState, StringComparison.OrdinalIgnoreCase)) return alerts.Where(a => a.State != AlertState.Resolved).ToList();
        return Enum.TryParse<AlertState>(state, ignoreCase: true, out var wanted) ? alerts.Where(a => a.State == wanted).ToList() : [];
    }

    /// <summary>The silences in force now (expired ones are not listed), of one model or all.</summary>
    public async Task<IReadOnlyList<Silence>> SilencesAsync(string? model, CancellationToken ct) =>
        await GetAsync<List<Silence>>("/api/silences" + (string.IsNullOrEmpty(model) ? "" : "?model=" + Uri.EscapeDataString(model)), ct);

    /// <summary>Ends a silence at once; its alerts are notified again from their next evaluation.</summary>
    public Task RemoveSilenceAsync(string id, CancellationToken ct) => SendAsync(HttpMethod.Delete, $"/api/silences/{Uri.EscapeDataString(id)}", null, ct);

    /// <summary>Deletes the model with its events and results; the service resolves its open alerts and says so.</summary>
    public Task<ModelDeletion> DeleteModelAsync(string name, CancellationToken ct) =>
        SendAsync(HttpMethod.Delete, $"/api/models/{Uri.EscapeDataString(name)}", null,
            async (response, c) => (await response.Content.ReadFromJsonAsync<ModelDeletion>(Json, c))!, ct);

    public async Task<IReadOnlyList<DeliveryAttempt>> DeliveriesAsync(string alertId, CancellationToken ct) =>
        await GetAsync<List<DeliveryAttempt>>($"/api/alerts/{Uri.EscapeDataString(alertId)}/deliveries", ct);

    public async Task<IReadOnlyList<JobStatus>> JobsAsync(CancellationToken ct) => await GetAsync<List<JobStatus>>("/api/jobs", ct);

    /// <summary>The newest <paramref name="limit"/> drift windows, oldest first (the Overview reads the latest one).</summary>
    public async Task<IReadOnlyList<DriftWindow>> DriftAsync(string model, int limit, CancellationToken ct) =>
        (await GetAsync<List<DriftWindowResult>>($"/api/models/{Uri.EscapeDataString(model)}/drift?limit={limit}", ct))
            .Select(DriftWindow.From).OrderBy(w => w.WindowEnd).ToList();

    /// <summary>
    /// Drift windows ending at or after <paramref name="from"/> (all when null), thinned by the service to at most
    /// <see cref="MaxChartPoints"/> (worst window of each bucket kept), with the range's size before thinning.
    /// </summary>
    public async Task<SeriesPage<DriftWindow>> DriftSeriesAsync(string model, DateTimeOffset? from, CancellationToken ct)
    {
        var (results, total) = await GetSeriesAsync<DriftWindowResult>(SeriesPath(model, "drift", from), ct);
        return new SeriesPage<DriftWindow>(results.Select(DriftWindow.From).OrderBy(w => w.WindowEnd).ToList(), total);
    }

    public async Task<IReadOnlyList<AccuracyPoint>> AccuracyAsync(string model, int limit, CancellationToken ct) =>
        (await GetAsync<List<AccuracyWindowResult>>($"/api/models/{Uri.EscapeDataString(model)}/accuracy?limit={limit}", ct))
            .Select(AccuracyPoint.From).OrderBy(p => p.WindowEnd).ToList();

    public async Task<SeriesPage<AccuracyPoint>> AccuracySeriesAsync(string model, DateTimeOffset? from, CancellationToken ct)
    {
        var (results, total) = await GetSeriesAsync<AccuracyWindowResult>(SeriesPath(model, "accuracy", from), ct);
        return new SeriesPage<AccuracyPoint>(results.Select(AccuracyPoint.From).OrderBy(p => p.WindowEnd).ToList(), total);
    }

    public Task<DriftOutliers> OutliersAsync(string model, DateTime windowEnd, int count, CancellationToken ct) =>
        GetAsync<DriftOutliers>($"/api/models/{Uri.EscapeDataString(model)}/drift/outliers?count={count}&windowEnd="
            + Uri.EscapeDataString(new DateTimeOffset(windowEnd, TimeSpan.Zero).ToString("O", System.Globalization.CultureInfo.InvariantCulture)), ct);

    /// <summary>The full stored drift result of the window ending at <paramref name="windowEnd"/> (every method's details), or null when there is none.</summary>
    public async Task<DriftWindowResult?> DriftWindowAsync(string model, DateTimeOffset windowEnd, CancellationToken ct)
    {
        var at = Uri.EscapeDataString(windowEnd.UtcDateTime.ToString("O", System.Globalization.CultureInfo.InvariantCulture));
        var windows = await GetAsync<List<DriftWindowResult>>($"/api/models/{Uri.EscapeDataString(model)}/drift?from={at}&to={at}", ct);
        return windows.FirstOrDefault(w => w.WindowEnd == windowEnd);
    }

    /// <summary>The model's versions side by side (traffic, drift, accuracy against each one's baseline).</summary>
    public Task<ModelVersionComparison> VersionsAsync(string model, CancellationToken ct) =>
        GetAsync<ModelVersionComparison>($"/api/models/{Uri.EscapeDataString(model)}/versions", ct);

    /// <summary>How many events the model has stored.</summary>
    public async Task<long> EventCountAsync(string model, CancellationToken ct) =>
        (await GetAsync<EventCount>($"/api/models/{Uri.EscapeDataString(model)}/events/count", ct)).Count;

    /// <summary>Events per minute over the last <paramref name="minutes"/> (by event timestamp).</summary>
    public Task<EventRate> EventRateAsync(string model, int minutes, CancellationToken ct) =>
        GetAsync<EventRate>($"/api/models/{Uri.EscapeDataString(model)}/events/rate?minutes={minutes}", ct);

    private static string SeriesPath(string model, string kind, DateTimeOffset? from) =>
        $"/api/models/{Uri.EscapeDataString(model)}/{kind}?maxPoints={MaxChartPoints}&details=compact"
        + (from is { } f ? "&from=" + Uri.EscapeDataString(f.UtcDateTime.ToString("O", System.Globalization.CultureInfo.InvariantCulture)) : "");

    public Task AcknowledgeAsync(string alertId, string? by, CancellationToken ct) =>
        SendAsync(HttpMethod.Post, $"/api/alerts/{Uri.EscapeDataString(alertId)}/acknowledge", new { by }, ct);

    public Task ResolveAsync(string alertId, string? by, CancellationToken ct) =>
        SendAsync(HttpMethod.Post, $"/api/alerts/{Uri.EscapeDataString(alertId)}/resolve", new { by }, ct);

    /// <summary>Silences notifications of one model's rule for <paramref name="duration"/> (the alert is still recorded).</summary>
    public Task SilenceAsync(string model, string? ruleId, TimeSpan duration, string? comment, string? by, CancellationToken ct) =>
        SendAsync(HttpMethod.Post, "/api/silences", new { model, ruleId, duration = duration.ToString("c"), comment = comment ?? "", createdBy = by ?? "dashboard" }, ct);

    /// <summary>
    /// Makes (or finds: the service answers the same request with the export it already made) an export of a drift window,
    /// with its items, pre-labels and reasons.
    /// </summary>
    public Task<ExportManifest> CreateExportAsync(string model, ExportRequest request, CancellationToken ct) =>
        SendAsync(HttpMethod.Post, $"/api/models/{Uri.EscapeDataString(model)}/exports", request,
            async (response, c) => (await response.Content.ReadFromJsonAsync<ExportManifest>(Json, c))!, ct);

    /// <summary>An export's manifest as the service keeps it, as raw JSON bytes for a download.</summary>
    public Task<byte[]> ExportManifestBytesAsync(string model, string id, CancellationToken ct) =>
        GetAsync($"/api/models/{Uri.EscapeDataString(model)}/exports/{Uri.EscapeDataString(id)}", (response, c) => response.Content.ReadAsByteArrayAsync(c), ct);

    /// <summary>A kept production image of the model, with the content type the service gives it (from its magic bytes).</summary>
    public Task<(byte[] Bytes, string ContentType)> ImageAsync(string model, string sha256, CancellationToken ct) =>
        GetAsync($"/api/models/{Uri.EscapeDataString(model)}/images/{Uri.EscapeDataString(sha256)}",
            async (response, c) => (await response.Content.ReadAsByteArrayAsync(c), response.Content.Headers.ContentType?.MediaType ?? "application/octet-stream"), ct);

    /// <summary>The monitoring service's address, as obs commands on the pages should name it.</summary>
    public Uri? ServiceUrl => http.BaseAddress;

    public Task RunNowAsync(string job, string? model, CancellationToken ct) =>
        SendAsync(HttpMethod.Post, model is null ? $"/api/jobs/{Uri.EscapeDataString(job)}/run" : $"/api/models/{Uri.EscapeDataString(model)}/jobs/{Uri.EscapeDataString(job)}/run", null, ct);

    private Task<T> GetAsync<T>(string path, CancellationToken ct) => GetAsync(path, async (response, c) => (await response.Content.ReadFromJsonAsync<T>(Json, c))!, ct);

    /// <summary>A listed series and how many results its range holds before thinning (X-Total-Count; the list's length when absent).</summary>
    private Task<(List<T> Results, int Total)> GetSeriesAsync<T>(string path, CancellationToken ct) => GetAsync(path, async (response, c) =>
    {
        var results = (await response.Content.ReadFromJsonAsync<List<T>>(Json, c))!;
        return (results, response.Headers.TryGetValues(SeriesHeaders.TotalCount, out var v) && int.TryParse(v.FirstOrDefault(), out var n) ? n : results.Count);
    }, ct);

    private async Task<T> GetAsync<T>(string path, Func<HttpResponseMessage, CancellationToken, Task<T>> read, CancellationToken ct)
    {
        EnsureConfigured();
        try
        {
            using var response = await http.GetAsync(path, ct);
            await EnsureSuccessAsync(response, ct);
            return await read(response, ct);
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

    private Task SendAsync(HttpMethod method, string path, object? body, CancellationToken ct) =>
        SendAsync(method, path, body, (_, _) => Task.FromResult(true), ct);

    /// <summary>A write: carries the write key, and <paramref name="read"/> reads the answer's body when it matters.</summary>
    private async Task<T> SendAsync<T>(HttpMethod method, string path, object? body, Func<HttpResponseMessage, CancellationToken, Task<T>> read, CancellationToken ct)
    {
        EnsureConfigured();
        using var request = new HttpRequestMessage(method, path);
        if (body is not null) request.Content = JsonContent.Create(body, options: Json);
        if (!string.IsNullOrEmpty(options.MonitoringApiKey)) request.Headers.Add("X-Api-Key", options.MonitoringApiKey);
        try
        {
            using var response = await http.SendAsync(request, ct);
            await EnsureSuccessAsync(response, ct);
            return await read(response, ct);
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
            var problem = await response.Content.ReadFromJsonAsync<ProblemBody>(Json, ct);
            detail = problem?.Detail ?? problem?.Title ?? "";
        }
        catch (JsonException) { }
        throw new MonitoringUnavailableException($"the monitoring service answered {(int)response.StatusCode} {response.ReasonPhrase}{(detail.Length > 0 ? ": " + detail : "")}")
        {
            StatusCode = (int)response.StatusCode,
        };
    }

    /// <summary>The RFC 9457 body of an error answer: what the dashboard shows of it.</summary>
    private sealed record ProblemBody(string? Title, string? Detail);
}
