using System.Text.Json;
using Observatory.Monitoring.Api.Infrastructure;
using Observatory.Monitoring.Api.Services;
using Observatory.Monitoring.Core.Ports;

namespace Observatory.Monitoring.Api.Apis;

/// <summary>Drift results, accuracy series, job status and "run now".</summary>
public static class ResultsApi
{
    public static IEndpointRouteBuilder MapResultsApi(this IEndpointRouteBuilder app)
    {
        var g = app.MapGroup("/api/models/{model}").WithTags("Results");
        g.MapGet("/drift", (string model, int? limit, IMonitoringStore store, CancellationToken ct) => ListAsync(model, "drift", limit, store, ct));
        g.MapGet("/accuracy", (string model, int? limit, IMonitoringStore store, CancellationToken ct) => ListAsync(model, "accuracy", limit, store, ct));
        g.MapGet("/jobs", (string model, IMonitoringStore store, JobScheduling jobs, CancellationToken ct) => JobsAsync(model, store, jobs, ct));
        app.MapGet("/api/jobs", async (IMonitoringStore store, JobScheduling jobs, CancellationToken ct) => TypedResults.Ok(await jobs.StatusAsync(store, null, ct))).WithTags("Jobs");
        app.MapGroup("/api/models/{model}/jobs").WithTags("Jobs").AddEndpointFilter<ApiKeyFilter>()
            .MapPost("/{job}/run", RunNowAsync);
        app.MapGroup("/api/jobs").WithTags("Jobs").AddEndpointFilter<ApiKeyFilter>()
            .MapPost("/{job}/run", async (string job, JobScheduling jobs, CancellationToken ct) =>
                await jobs.RunNowAsync(JobScheduling.SystemGroup, job, ct) ? TypedResults.Accepted($"/api/jobs") : Problems.NotFound($"no system job '{job}'"));
        return app;
    }

    public static async Task<IResult> ListAsync(string model, string kind, int? limit, IMonitoringStore store, CancellationToken ct)
    {
        if (await store.GetModelAsync(model, ct) is null) return Problems.NotFound($"model '{model}' is not registered");
        var results = await store.ListResultsAsync(model, kind, Math.Clamp(limit ?? 100, 1, 1000), ct);
        return TypedResults.Ok(results.Select(r => new ResultView(r.WindowStart, r.WindowEnd, r.EventCount, r.Drifted, r.Value, r.CreatedAt,
            JsonDocument.Parse(r.Json).RootElement)).ToList());
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

public sealed record ResultView(DateTimeOffset WindowStart, DateTimeOffset WindowEnd, int EventCount, bool Flagged, double? Value, DateTimeOffset CreatedAt, JsonElement Details);
