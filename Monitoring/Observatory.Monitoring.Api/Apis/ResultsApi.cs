using System.Text.Json;
using System.Text.Json.Nodes;
using Observatory.Monitoring.Api.Infrastructure;
using Observatory.Monitoring.Api.Services;
using Observatory.Monitoring.Core.Ports;
using Observatory.Monitoring.Core.Windows;

namespace Observatory.Monitoring.Api.Apis;

/// <summary>Drift results, accuracy series, job status and "run now".</summary>
public static class ResultsApi
{
    public static IEndpointRouteBuilder MapResultsApi(this IEndpointRouteBuilder app)
    {
        var g = app.MapGroup("/api/models/{model}").WithTags("Results");
        g.MapGet("/drift", (string model, int? limit, DateTimeOffset? from, DateTimeOffset? to, int? maxPoints, string? details, HttpResponse response, IMonitoringStore store, CancellationToken ct) =>
            ListAsync(model, "drift", new SeriesQuery(limit, from, to, maxPoints) { Details = details }, response, store, ct));
        g.MapGet("/accuracy", (string model, int? limit, DateTimeOffset? from, DateTimeOffset? to, int? maxPoints, string? details, HttpResponse response, IMonitoringStore store, CancellationToken ct) =>
            ListAsync(model, "accuracy", new SeriesQuery(limit, from, to, maxPoints) { Details = details }, response, store, ct));
        g.MapGet("/drift/outliers", OutliersAsync);
        g.MapGet("/jobs", (string model, IMonitoringStore store, JobScheduling jobs, CancellationToken ct) => JobsAsync(model, store, jobs, ct));
        app.MapGet("/api/jobs", async (IMonitoringStore store, JobScheduling jobs, CancellationToken ct) => TypedResults.Ok(await jobs.StatusAsync(store, null, ct))).WithTags("Jobs");
        app.MapGroup("/api/models/{model}/jobs").WithTags("Jobs").AddEndpointFilter<ApiKeyFilter>()
            .MapPost("/{job}/run", RunNowAsync);
        app.MapGroup("/api/jobs").WithTags("Jobs").AddEndpointFilter<ApiKeyFilter>()
            .MapPost("/{job}/run", async (string job, JobScheduling jobs, CancellationToken ct) =>
                await jobs.RunNowAsync(JobScheduling.SystemGroup, job, ct) ? TypedResults.Accepted($"/api/jobs") : Problems.NotFound($"no system job '{job}'"));
        return app;
    }

    /// <summary>A series larger than this is not sent whole: ask for a range or for maxPoints.</summary>
    public const int MaxLimit = 1000;

    /// <summary>Upper bound of maxPoints (a chart is a few hundred pixels wide).</summary>
    public const int MaxPoints = 5000;

    /// <summary>
    /// Without a range or maxPoints: the newest <c>limit</c> results (≤ 1,000). With <c>from</c>/<c>to</c> (window end, both inclusive) and/or
    /// <c>maxPoints</c>: every result in the range, thinned to maxPoints by keeping the worst window of each bucket (drifted first, then the
    /// highest statistic; for accuracy the lowest) and both ends; without maxPoints the newest <c>limit</c> of the range.
    /// X-Total-Count says how many results the range holds before thinning. <c>details=compact</c> leaves out arrays of more than
    /// <see cref="CompactArrayLength"/> items (per-dimension statistics and p-values of wide embeddings), keeping every scalar.
    /// </summary>
    public static async Task<IResult> ListAsync(string model, string kind, SeriesQuery query, HttpResponse response, IMonitoringStore store, CancellationToken ct)
    {
        if (await store.GetModelAsync(model, ct) is null) return Problems.NotFound($"model '{model}' is not registered");
        if (query.MaxPoints is < 2 or > MaxPoints) return Problems.Invalid("invalid series query", "maxPoints", $"must be between 2 and {MaxPoints}");
        if (query.From > query.To) return Problems.Invalid("invalid series query", "from", "must not be after 'to'");
        if (query.Details is not (null or "full" or "compact")) return Problems.Invalid("invalid series query", "details", "must be 'full' or 'compact'");
        var limit = Math.Clamp(query.Limit ?? 100, 1, MaxLimit);
        IReadOnlyList<StoredResult> results;
        if (query.From is null && query.To is null && query.MaxPoints is null) results = await store.ListResultsAsync(model, kind, limit, ct);
        else
        {
            var all = await store.ListResultSummariesAsync(model, kind, query.From ?? DateTimeOffset.MinValue, query.To ?? DateTimeOffset.MaxValue, ct);
            response.Headers["X-Total-Count"] = all.Count.ToString(System.Globalization.CultureInfo.InvariantCulture);
            var kept = query.MaxPoints is { } max ? Downsample.KeepExtremes(all, max, s => Severity(kind, s)) : all.Skip(Math.Max(0, all.Count - limit)).ToList();
            results = await store.GetResultsAsync(kept.Select(s => s.Id).ToList(), ct);
        }
        var compact = query.Details == "compact";
        return TypedResults.Ok(results.Select(r => new ResultView(r.WindowStart, r.WindowEnd, r.EventCount, r.Drifted, r.Value, r.CreatedAt,
            compact ? Compact(r.Json) : JsonDocument.Parse(r.Json).RootElement)).ToList());
    }

    /// <summary>Arrays longer than this are left out of compact details (a chart needs the scalars, not 512 p-values a window).</summary>
    public const int CompactArrayLength = 32;

    private static JsonElement Compact(string json)
    {
        var node = JsonNode.Parse(json);
        Prune(node);
        return JsonSerializer.SerializeToElement(node);

        static void Prune(JsonNode? n)
        {
            if (n is JsonObject o)
            {
                foreach (var key in o.Where(p => p.Value is JsonArray { Count: > CompactArrayLength }).Select(p => p.Key).ToList()) o.Remove(key);
                foreach (var (_, v) in o) Prune(v);
            }
            else if (n is JsonArray a) foreach (var v in a) Prune(v);
        }
    }

    /// <summary>Flagged windows outrank any unflagged one; then a higher drift statistic, or a lower accuracy, is worse.</summary>
    public static double Severity(string kind, ResultSummary s) =>
        (s.Drifted ? 1e9 : 0) + (kind == "accuracy" ? -(s.Value ?? 1) : s.Value ?? 0);

    /// <summary>
    /// The events of a drift window (<c>windowEnd</c> of a stored result; the latest when omitted) least like the reference — farthest
    /// from their nearest reference embedding — and typical reference items, <c>count</c> each (default 8, at most 50).
    /// </summary>
    public static async Task<IResult> OutliersAsync(string model, DateTimeOffset? windowEnd, int? count, IMonitoringStore store, DriftService drift, CancellationToken ct)
    {
        if (await store.GetModelAsync(model, ct) is null) return Problems.NotFound($"model '{model}' is not registered");
        if (count is < 1 or > 50) return Problems.Invalid("invalid outlier query", "count", "must be between 1 and 50");
        return await drift.OutliersAsync(model, windowEnd, count ?? 8, ct) is { } result
            ? TypedResults.Ok(result)
            : Problems.NotFound(windowEnd is null ? $"model '{model}' has no drift result yet" : $"model '{model}' has no drift window ending at {windowEnd:O}");
    }

    public static async Task<IResult> JobsAsync(string model, IMonitoringStore store, JobScheduling jobs, CancellationToken ct) =>
        await store.GetModelAsync(model, ct) is null ? Problems.NotFound($"model '{model}' is not registered") : TypedResults.Ok(await jobs.StatusAsync(store, model, ct));

    public static async Task<IResult> RunNowAsync(string model, string job, IMonitoringStore store, JobScheduling jobs, CancellationToken ct)
    {
        if (await store.GetModelAsync(model, ct) is null) return Problems.NotFound($"model '{model}' is not registered");
        return await jobs.RunNowAsync(model, job, ct)
            ? TypedResults.Accepted($"/api/models/{model}/jobs", new { model, job, status = "triggered" })
            : Problems.NotFound($"no job '{job}' for model '{model}'; valid: {string.Join(", ", JobScheduling.ModelJobs)}");
    }
}

/// <summary>Query of a result series: see <see cref="ResultsApi.ListAsync"/>.</summary>
public sealed record SeriesQuery(int? Limit, DateTimeOffset? From, DateTimeOffset? To, int? MaxPoints)
{
    /// <summary>"full" (default) or "compact".</summary>
    public string? Details { get; init; }
}

public sealed record ResultView(DateTimeOffset WindowStart, DateTimeOffset WindowEnd, int EventCount, bool Flagged, double? Value, DateTimeOffset CreatedAt, JsonElement Details);
