using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Options;
using Observatory.Monitoring.Api.Infrastructure;
using Observatory.Monitoring.Api.Services;
using Observatory.Monitoring.Contracts;
using Observatory.Monitoring.Core.Events;
using Observatory.Monitoring.Core.Images;
using Observatory.Monitoring.Core.Ports;

namespace Observatory.Monitoring.Api.Apis;

/// <summary>
/// Exports of drift windows as datasets, and the kept images they name. Both need the API key even to read: production images
/// are private, and an export's manifest links to them.
/// </summary>
public static class ExportsApi
{
    public static IEndpointRouteBuilder MapExportsApi(this IEndpointRouteBuilder app)
    {
        var exports = app.MapGroup("/api/models/{model}/exports").WithTags("Exports").AddEndpointFilter<ApiKeyFilter>();
        exports.MapPost("", CreateAsync).Accepts<ExportRequest>("application/json");
        exports.MapGet("", ListAsync);
        exports.MapGet("/{id}", GetAsync);
        exports.MapDelete("/{id}", DeleteAsync);
        app.MapGroup("/api/models/{model}").WithTags("Events").AddEndpointFilter<ApiKeyFilter>().MapGet("/images/{sha256}", GetImageAsync)
            .Produces(StatusCodes.Status200OK, typeof(byte[]), "image/png", "image/jpeg", "image/gif", "image/bmp", "image/webp", "application/octet-stream");
        return app;
    }

    /// <summary>
    /// Makes an export of the drift window ending at <c>windowEnd</c> (201, Location); the same request again answers the export
    /// already made (200), so a re-run never makes a second one.
    /// </summary>
    public static async Task<Results<Created<ExportManifest>, Ok<ExportManifest>, ValidationProblem, ProblemHttpResult>> CreateAsync(string model, HttpRequest request,
        IMonitoringStore store, ExportService exports, IOptions<MonitoringOptions> options, CancellationToken ct)
    {
        const string title = "invalid export request";
        var m = await store.GetModelAsync(model, ct);
        if (m is null) return Problems.NotFound($"model '{model}' is not registered");
        var (body, error) = await Problems.ReadJsonAsync<ExportRequestBody>(request, 64 * 1024, title, ct);
        if (error is not null) return error;
        var wanted = new ExportRequest(body!.WindowEnd ?? default, body.Select ?? (ExportSelection)(-1), body.Count ?? 0, body.Format ?? ExportFormat.Yolo);
        var errors = ExportService.Validate(wanted, options.Value.MaxExportItems);
        if (errors.Count > 0) return Problems.Invalid(title, errors);
        var outcome = await exports.CreateAsync(m, wanted, ct);
        if (outcome.Invalid is { } invalid) return Problems.Invalid(title, [invalid]);
        if (outcome.Manifest is not { } manifest) return Problems.NotFound(outcome.NotFound ?? "no such window");
        var shown = await exports.WithDownloadUrlsAsync(manifest, ct);
        return outcome.Created
            ? TypedResults.Created($"/api/models/{Uri.EscapeDataString(model)}/exports/{Uri.EscapeDataString(manifest.Id)}", shown)
            : TypedResults.Ok(shown);
    }

    /// <summary>The model's open exports, newest first, without their items.</summary>
    public static async Task<Results<Ok<IReadOnlyList<ExportSummary>>, ProblemHttpResult>> ListAsync(string model, IMonitoringStore store, CancellationToken ct)
    {
        if (await store.GetModelAsync(model, ct) is null) return Problems.NotFound($"model '{model}' is not registered");
        return TypedResults.Ok<IReadOnlyList<ExportSummary>>((await store.ListExportsAsync(model, ct)).Select(ExportSummary.Of).ToList());
    }

    public static async Task<Results<Ok<ExportManifest>, ProblemHttpResult>> GetAsync(string model, string id, IMonitoringStore store, ExportService exports,
        CancellationToken ct) =>
        await store.GetExportAsync(model, id, ct) is { } manifest
            ? TypedResults.Ok(await exports.WithDownloadUrlsAsync(manifest, ct))
            : Problems.NotFound($"model '{model}' has no export '{id}'; GET /api/models/{model}/exports lists them");

    /// <summary>Closes an export: its manifest goes, and with it the hold it had on its images (retention may prune them).</summary>
    public static async Task<Results<NoContent, ProblemHttpResult>> DeleteAsync(string model, string id, IMonitoringStore store, CancellationToken ct) =>
        await store.DeleteExportAsync(model, id, ct) ? TypedResults.NoContent() : Problems.NotFound($"model '{model}' has no export '{id}'");

    /// <summary>
    /// The bytes of a kept image that an event of this model names (an image another model's events name is not served here), with
    /// the content type its magic bytes show; the store's copy is bounded and verified against the hash first.
    /// </summary>
    public static async Task<Results<FileContentHttpResult, ValidationProblem, ProblemHttpResult>> GetImageAsync(string model, string sha256, HttpContext http,
        IMonitoringStore store, IImageArchive images, IOptions<MonitoringOptions> options, CancellationToken ct)
    {
        if (!EventValidation.IsSha256(sha256)) return Problems.Invalid("invalid image hash", "sha256", "must be a SHA-256 in lower-case hex (64 characters)");
        if (!await store.EventNamesImageAsync(model, sha256, ct)) return Problems.NotFound($"no event of model '{model}' names image {sha256[..12]}…");
        byte[]? bytes;
        try { bytes = await images.ReadAsync(sha256, options.Value.Images.MaxImageBytes, ct); }
        catch (KeptImageException ex) { return TypedResults.Problem(statusCode: StatusCodes.Status500InternalServerError, title: "kept image cannot be served", detail: ex.Message); }
        if (bytes is null) return Problems.NotFound($"image {sha256[..12]}… is named by events of model '{model}' but is not in the image store {images.DisplayUrl}");
        // The type is the bytes' own; browsers must not guess another (a kept "image" that is really HTML must not run).
        http.Response.Headers.XContentTypeOptions = "nosniff";
        return TypedResults.File(bytes, ImageFormats.Sniff(bytes).ContentType);
    }
}

/// <summary><see cref="ExportRequest"/> as it arrives: a missing field is named in the 400 instead of taking a default (format may be left out: yolo).</summary>
internal sealed record ExportRequestBody(DateTimeOffset? WindowEnd, ExportSelection? Select, int? Count, ExportFormat? Format);
