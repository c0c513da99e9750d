using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.DependencyInjection;
using Observatory.Monitoring.Contracts;
using Observatory.Monitoring.Api.Infrastructure;
using Observatory.Monitoring.Api.Services;
using Observatory.Monitoring.Core.Alerts;
using Observatory.Monitoring.Core.Models;
using Observatory.Monitoring.Core.Ports;

namespace Observatory.Monitoring.Api.Apis;

/// <summary>Alerts (list, acknowledge, resolve), silences and delivery attempts.</summary>
public static class AlertsApi
{
    public static IEndpointRouteBuilder MapAlertsApi(this IEndpointRouteBuilder app)
    {
        var read = app.MapGroup("/api").WithTags("Alerts");
        read.MapGet("/alerts", ListAsync);
        read.MapGet("/alerts/{id}", GetAsync);
        read.MapGet("/alerts/{id}/deliveries", async (string id, IMonitoringStore store, CancellationToken ct) =>
            TypedResults.Ok(await store.ListDeliveryAttemptsAsync(id, 1000, ct)));
        read.MapGet("/deliveries", async (IMonitoringStore store, CancellationToken ct) => TypedResults.Ok(await store.ListDeliveryAttemptsAsync(null, 1000, ct)));
        read.MapGet("/silences", async (string? model, IMonitoringStore store, [FromKeyedServices(MonitoringHost.ClockKey)] TimeProvider time, CancellationToken ct) =>
            TypedResults.Ok(await store.ListSilencesAsync(model, time.GetUtcNow(), ct)));

        var write = app.MapGroup("/api").WithTags("Alerts").AddEndpointFilter<ApiKeyFilter>();
        // Bodies are read inside the handlers (after the key filter); Accepts documents them.
        write.MapPost("/alerts/{id}/acknowledge", AcknowledgeAsync).Accepts<AckRequest>(isOptional: true, "application/json");
        write.MapPost("/alerts/{id}/resolve", ResolveAsync);
        write.MapPost("/silences", SilenceAsync).Accepts<SilenceRequest>("application/json");
        write.MapDelete("/silences/{id}", DeleteSilenceAsync);
        return app;
    }

    // The state is matched ignoring case: the JSON says "firing", minimal APIs' enum binding would want "Firing".
    public static async Task<Results<Ok<IReadOnlyList<Alert>>, ValidationProblem>> ListAsync(string? model, string? state, int? limit, IMonitoringStore store, AlertService alerts,
        CancellationToken ct)
    {
        AlertState? wanted = null;
        if (!string.IsNullOrEmpty(state))
        {
            if (!Enum.TryParse<AlertState>(state, ignoreCase: true, out var parsed) || !Enum.IsDefined(parsed))
                return Problems.Invalid("invalid query", "state", $"'{state}' is not an alert state (firing, acknowledged, resolved)");
            wanted = parsed;
        }
        return TypedResults.Ok(await alerts.WithSilencesAsync(await store.ListAlertsAsync(model, wanted, Math.Clamp(limit ?? 100, 1, 1000), ct), ct));
    }

    public static async Task<Results<Ok<Alert>, ProblemHttpResult>> GetAsync(string id, IMonitoringStore store, AlertService alerts, CancellationToken ct) =>
        await store.GetAlertAsync(id, ct) is { } a ? TypedResults.Ok((await alerts.WithSilencesAsync([a], ct))[0]) : Problems.NotFound($"no alert '{id}'");

    /// <summary>Acknowledging a resolved alert throws ConflictException: the shared exception handler answers 409.</summary>
    [ProducesResponseType<ProblemDetails>(StatusCodes.Status409Conflict, "application/problem+json")]
    public static async Task<Results<Ok<Alert>, ProblemHttpResult, ValidationProblem>> AcknowledgeAsync(string id, HttpRequest request, AlertService alerts, CancellationToken ct)
    {
        // Read after the key filter, like every write body; an empty body acknowledges as "api".
        AckRequest? body = null;
        if (request.ContentLength is > 0 || request.Headers.TransferEncoding.Count > 0)
        {
            var (read, error) = await Problems.ReadJsonAsync<AckRequest>(request, 16 * 1024, "invalid acknowledgement", ct);
            if (error is not null) return error;
            body = read;
        }
        return await alerts.AcknowledgeAsync(id, body?.By ?? "api", ct) is { } a ? TypedResults.Ok(a) : Problems.NotFound($"no alert '{id}'");
    }

    public static async Task<Results<Ok<Alert>, ProblemHttpResult>> ResolveAsync(string id, AlertService alerts, CancellationToken ct) =>
        await alerts.ResolveAsync(id, ct) is { } a ? TypedResults.Ok(a) : Problems.NotFound($"no alert '{id}'");

    /// <summary>Ends a silence at once; alerts it muted are notified again from their next evaluation.</summary>
    public static async Task<Results<NoContent, ProblemHttpResult>> DeleteSilenceAsync(string id, IMonitoringStore store, CancellationToken ct) =>
        await store.DeleteSilenceAsync(id, ct) ? TypedResults.NoContent() : Problems.NotFound($"no silence '{id}'; GET /api/silences lists the active ones");

    /// <summary>Longest silence: a muted model should come back to someone's attention.</summary>
    public static readonly TimeSpan MaxSilence = TimeSpan.FromDays(90);

    /// <remarks>The body is read inside the handler, after the key filter: a caller without the key never has it parsed.</remarks>
    public static async Task<Results<Created<Silence>, ValidationProblem>> SilenceAsync(HttpRequest request, IMonitoringStore store,
        [FromKeyedServices(MonitoringHost.ClockKey)] TimeProvider time, CancellationToken ct)
    {
        var (read, error) = await Problems.ReadJsonAsync<SilenceRequest>(request, 64 * 1024, "invalid silence", ct);
        if (error is not null) return error;
        var body = read!;
        var errors = new List<FieldError>();
        if (string.IsNullOrWhiteSpace(body.Model) || await store.GetModelAsync(body.Model, ct) is null) errors.Add(new("model", $"model '{body.Model}' is not registered"));
        if (body.Duration is null or { Ticks: <= 0 }) errors.Add(new("duration", "a positive duration is required (e.g. \"02:00:00\")"));
        else if (body.Duration > MaxSilence) errors.Add(new("duration", $"at most {MaxSilence.TotalDays:0} days (\"{MaxSilence:d\\.hh\\:mm\\:ss}\"); a longer silence hides alerts nobody remembers muting"));
        if (errors.Count > 0) return Problems.Invalid("invalid silence", errors);
        var now = time.GetUtcNow();
        var silence = new Silence
        {
            Id = Guid.NewGuid().ToString("N"), Model = body.Model!, RuleId = body.RuleId, StartsAt = now, EndsAt = now + body.Duration!.Value,
            Comment = body.Comment ?? "", CreatedBy = body.CreatedBy ?? "api",
        };
        await store.AddSilenceAsync(silence, ct);
        return TypedResults.Created($"/api/silences/{silence.Id}", silence);
    }
}

public sealed record AckRequest(string? By);

public sealed record SilenceRequest(string? Model, string? RuleId, TimeSpan? Duration, string? Comment, string? CreatedBy);
