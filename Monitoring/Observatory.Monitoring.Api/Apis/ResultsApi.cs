using Microsoft.AspNetCore.Http.HttpResults;
using Observatory.Monitoring.Api.Infrastructure;
using Observatory.Monitoring.Api.Services;
using Observatory.Monitoring.Contracts;
using Observatory.Monitoring.Core.Models;
using Observatory.Monitoring.Core.Ports;
using Observatory.Monitoring.Core.Windows;

namespace Observatory.Monitoring.Api.Apis;

/// <summary>Drift results, accuracy series, job status and "run now".</summary>
public static class ResultsApi
{
    public static IEndpointRouteBuilder MapResultsApi(this IEndpointRouteBuilder app)
    {
        var g = app.MapGroup("/api/models/{model}").WithTags("Results");
        g.MapGet("/drift", DriftAsync);
        g.MapGet("/accuracy", AccuracyAsync);
        g.MapGet("/drift/outliers", OutliersAsync);
        g.MapGet("/versions", VersionsAsync);
        g.MapGet("/jobs", JobsAsync);
        app.MapGet("/api/jobs", async (IMonitoringStore store, JobScheduling jobs, CancellationToken ct) => TypedResults.Ok(await jobs.StatusAsync(store, null, ct))).WithTags("Jobs");
        app.MapGroup("/api/models/{model}/jobs").WithTags("Jobs").AddEndpointFilter<ApiKeyFilter>()
            .MapPost("/{job}/run", RunNowAsync);
        app.MapGroup("/api/jobs").WithTags("Jobs").AddEndpointFilter<ApiKeyFilter>()
            .MapPost("/{job}/run", RunSystemJobNowAsync);
        return app;
    }

    /// <summary>A series larger than this is not sent whole: ask for a range or for maxPoints.</summary>
    public const int MaxLimit = 1000;

    /// <summary>Upper bound of maxPoints (a chart is a few hundred pixels wide).</summary>
    public const int MaxPoints = 5000;

    /// <summary>Arrays longer than this are left out of compact details (a chart needs the scalars, not 512 p-values a window).</summary>
    public const int CompactArrayLength = 32;

    /// <summary>
    /// Without a range or maxPoints: the newest <c>limit</c> results (≤ 1,000). With <c>from</c>/<c>to</c> (window end, both inclusive) and/or
    /// <c>maxPoints</c>: every result in the range, thinned to maxPoints by keeping the worst window of each bucket (drifted first, then the
    /// highest statistic) and both ends; without maxPoints the newest <c>limit</c> of the range.
    /// X-Total-Count says how many results the range holds before thinning. <c>details=compact</c> leaves out arrays of more than
    /// <see cref="CompactArrayLength"/> items from method details (per-dimension statistics and p-values of wide embeddings), keeping every verdict.
    /// <c>modelVersion</c> keeps, of the windows selected, those that version served (its own figures are in each window's
    /// <c>embeddingByVersion</c> / <c>accuracyByVersion</c> when several versions served it).
    /// <c>format=csv|arrow</c> answers the same windows as a table (<see cref="Frames.Drift"/>) to download; JSON is the default.
    /// </summary>
    public static async Task<Results<Ok<List<DriftWindowResult>>, FrameResult, ProblemHttpResult, ValidationProblem>> DriftAsync(string model, int? limit, DateTimeOffset? from,
        DateTimeOffset? to, int? maxPoints, string? details, string? modelVersion, string? format, HttpResponse response, IMonitoringStore store, CancellationToken ct)
    {
        var query = new SeriesQuery(limit, from, to, maxPoints) { Details = details };
        if (await store.GetModelAsync(model, ct) is null) return Problems.NotFound($"model '{model}' is not registered");
        if (Validate(query) is { } invalid) return invalid;
        var (table, badFormat) = TableFormats.Parse(format);
        if (badFormat is not null) return badFormat;
        var compact = query.Details == "compact";
        var rows = (await SelectAsync(model, StoredResults.Drift, query, response, store, ct)).Select(r =>
        {
            var run = StoredResults.ReadDrift(r);
            // Results stored before confidence drift counted carry the older verdict; the run itself says what moved.
            return new DriftWindowResult(r.WindowStart, r.WindowEnd, r.EventCount, r.Drifted || run.Window.Flagged, r.Value, r.CreatedAt, compact ? run.Compact(CompactArrayLength) : run);
        }).Where(w => Served(w.Details?.Window, modelVersion)).ToList();
        return table == TableFormat.Json ? TypedResults.Ok(rows) : FrameResult.Of(table, $"{model}-drift", Frames.Drift(rows));
    }

    /// <summary>As <see cref="DriftAsync"/>, for accuracy windows; thinning keeps the lowest accuracy of each bucket.</summary>
    public static async Task<Results<Ok<List<AccuracyWindowResult>>, FrameResult, ProblemHttpResult, ValidationProblem>> AccuracyAsync(string model, int? limit, DateTimeOffset? from,
        DateTimeOffset? to, int? maxPoints, string? details, string? modelVersion, string? format, HttpResponse response, IMonitoringStore store, CancellationToken ct)
    {
        var query = new SeriesQuery(limit, from, to, maxPoints) { Details = details };
        if (await store.GetModelAsync(model, ct) is null) return Problems.NotFound($"model '{model}' is not registered");
        if (Validate(query) is { } invalid) return invalid;
        var (table, badFormat) = TableFormats.Parse(format);
        if (badFormat is not null) return badFormat;
        var compact = query.Details == "compact";
        var rows = (await SelectAsync(model, StoredResults.Accuracy, query, response, store, ct)).Select(r =>
        {
            var run = StoredResults.ReadAccuracy(r);
            return new AccuracyWindowResult(r.WindowStart, r.WindowEnd, r.EventCount, r.Drifted, r.Value, r.CreatedAt, compact ? run.Compact(CompactArrayLength) : run);
        }).Where(w => Served(w.Details?.Window, modelVersion)).ToList();
        return table == TableFormat.Json ? TypedResults.Ok(rows) : FrameResult.Of(table, $"{model}-accuracy", Frames.Accuracy(rows));
    }

    /// <summary>
    /// The model's versions side by side (oldest first): windows and events each served, how often its own embeddings drifted,
    /// its accuracy against its own baseline — over the newest <see cref="MaxLimit"/> drift and accuracy windows.
    /// </summary>
    public static async Task<Results<Ok<ModelVersionComparison>, ProblemHttpResult>> VersionsAsync(string model, IMonitoringStore store, CancellationToken ct)
    {
        if (await store.GetModelAsync(model, ct) is not { } m) return Problems.NotFound($"model '{model}' is not registered");
        var drift = (await store.ListResultsAsync(model, StoredResults.Drift, MaxLimit, ct)).Select(StoredResults.ReadDrift).ToList();
        var accuracy = (await store.ListResultsAsync(model, StoredResults.Accuracy, MaxLimit, ct)).Select(StoredResults.ReadAccuracy).ToList();
        return TypedResults.Ok(VersionComparisons.Compare(m, drift, accuracy, Math.Max(drift.Count, accuracy.Count)));
    }

    /// <summary>No version asked for, or the window's events include that version's.</summary>
    private static bool Served(WindowResult? window, string? modelVersion) =>
        modelVersion is null || window?.ModelVersions?.ContainsKey(modelVersion) == true;

    private static ValidationProblem? Validate(SeriesQuery query)
    {
        if (query.MaxPoints is < 2 or > MaxPoints) return Problems.Invalid("invalid series query", "maxPoints", $"must be between 2 and {MaxPoints}");
        if (query.From > query.To) return Problems.Invalid("invalid series query", "from", "must not be after 'to'");
        if (query.Details is not (null or "full" or "compact")) return Problems.Invalid("invalid series query", "details", "must be 'full' or 'compact'");
        return null;
    }

    private static async Task<IReadOnlyList<StoredResult>> SelectAsync(string model, string kind, SeriesQuery query, HttpResponse response, IMonitoringStore store, CancellationToken ct)
    {
        var limit = Math.Clamp(query.Limit ?? 100, 1, MaxLimit);
        if (query.From is null && query.To is null && query.MaxPoints is null) return await store.ListResultsAsync(model, kind, limit, ct);
        var all = await store.ListResultSummariesAsync(model, kind, query.From ?? DateTimeOffset.MinValue, query.To ?? DateTimeOffset.MaxValue, ct);
        response.Headers[SeriesHeaders.TotalCount] = all.Count.ToString(System.Globalization.CultureInfo.InvariantCulture);
        var kept = query.MaxPoints is { } max ? Downsample.KeepExtremes(all, max, s => Severity(kind, s)) : all.Skip(Math.Max(0, all.Count - limit)).ToList();
        return await store.GetResultsAsync(kept.Select(s => s.Id).ToList(), ct);
    }

    /// <summary>Flagged windows outrank any unflagged one; then a higher drift statistic, or a lower accuracy, is worse.</summary>
    public static double Severity(string kind, ResultSummary s) =>
        (s.Drifted ? 1e9 : 0) + (kind == StoredResults.Accuracy ? -(s.Value ?? 1) : s.Value ?? 0);

    /// <summary>
    /// The events of a drift window (<c>windowEnd</c> of a stored result; the latest when omitted) least like the reference — farthest
    /// from their nearest reference embedding — and typical reference items, <c>count</c> each (default 8, at most 50).
    /// </summary>
    public static async Task<Results<Ok<DriftOutliers>, ProblemHttpResult, ValidationProblem>> OutliersAsync(string model, DateTimeOffset? windowEnd, int? count,
        IMonitoringStore store, DriftService drift, CancellationToken ct)
    {
        if (await store.GetModelAsync(model, ct) is null) return Problems.NotFound($"model '{model}' is not registered");
        if (count is < 1 or > 50) return Problems.Invalid("invalid outlier query", "count", "must be between 1 and 50");
        return await drift.OutliersAsync(model, windowEnd, count ?? 8, ct) is { } result
            ? TypedResults.Ok(result)
            : Problems.NotFound(windowEnd is null ? $"model '{model}' has no drift result yet" : $"model '{model}' has no drift window ending at {windowEnd:O}");
    }

    public static async Task<Results<Ok<IReadOnlyList<JobStatus>>, ProblemHttpResult>> JobsAsync(string model, IMonitoringStore store, JobScheduling jobs, CancellationToken ct) =>
        await store.GetModelAsync(model, ct) is null ? Problems.NotFound($"model '{model}' is not registered") : TypedResults.Ok(await jobs.StatusAsync(store, model, ct));

    /// <summary>How long <c>?wait=true</c> waits for the run before answering 202 (the run goes on).</summary>
    public static readonly TimeSpan RunWaitLimit = TimeSpan.FromMinutes(2);

    /// <summary>
    /// Triggers the job now (202). With <c>wait=true</c>, answers when the run has finished, with the run (200: its status and
    /// error), so a script or a README step can read the result next; still running after <see cref="RunWaitLimit"/> → 202.
    /// </summary>
    public static async Task<Results<Accepted<JobTriggered>, Ok<JobRun>, ProblemHttpResult>> RunNowAsync(string model, string job, bool? wait,
        IMonitoringStore store, JobScheduling jobs, CancellationToken ct)
    {
        if (await store.GetModelAsync(model, ct) is null) return Problems.NotFound($"model '{model}' is not registered");
        var before = wait == true ? await LatestRunAsync(store, model, job, ct) : null;
        if (!await jobs.RunNowAsync(model, job, ct))
            return Problems.NotFound($"no job '{job}' for model '{model}'; valid: {string.Join(", ", JobScheduling.ModelJobs)}");
        var triggered = TypedResults.Accepted($"/api/models/{model}/jobs", new JobTriggered(model, job, "triggered"));
        if (wait != true) return triggered;
        // Wall-clock polling on purpose: the run happens on Quartz's threads in real time, whatever clock the results carry.
        var deadline = DateTime.UtcNow + RunWaitLimit;
        while (DateTime.UtcNow < deadline)
        {
            await Task.Delay(TimeSpan.FromMilliseconds(200), ct);
            if (await LatestRunAsync(store, model, job, ct) is { } latest && latest != before) return TypedResults.Ok(latest);
        }
        return triggered;
    }

    private static async Task<JobRun?> LatestRunAsync(IMonitoringStore store, string model, string job, CancellationToken ct) =>
        (await store.ListJobRunsAsync(model, 100, ct)).FirstOrDefault(r => r.Job == job);

    public static async Task<Results<Accepted<JobTriggered>, ProblemHttpResult>> RunSystemJobNowAsync(string job, JobScheduling jobs, CancellationToken ct) =>
        await jobs.RunNowAsync(JobScheduling.SystemGroup, job, ct)
            ? TypedResults.Accepted("/api/jobs", new JobTriggered(null, job, "triggered"))
            : Problems.NotFound($"no system job '{job}'");
}

/// <summary>Query of a result series: see <see cref="ResultsApi.DriftAsync"/>.</summary>
public sealed record SeriesQuery(int? Limit, DateTimeOffset? From, DateTimeOffset? To, int? MaxPoints)
{
    /// <summary>"full" (default) or "compact".</summary>
    public string? Details { get; init; }
}
