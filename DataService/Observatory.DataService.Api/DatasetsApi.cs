using Microsoft.AspNetCore.Mvc;
using Observatory.DataService.Core.Queries;

namespace Observatory.DataService.Api;

/// <summary>
/// The read-only dataset endpoints. A dataset path contains '/', so it travels as one URL-encoded segment
/// (<c>data%2Fsample</c>); revisions are anything git resolves (sha, tag, branch, HEAD~1). Query errors reach the shared
/// exception handler (ServiceDefaults): bad input 400 naming the parameter, absent 404, a failing store 5xx.
/// </summary>
public static class DatasetsApi
{
    public const int MaxParameterLength = 1024;

    public static IEndpointRouteBuilder MapDatasetsApi(this IEndpointRouteBuilder app)
    {
        var api = app.MapGroup("/api").WithTags("datasets");
        // Every parameter is bounded before a query runs: a revision or path longer than this is nobody's real input.
        api.AddEndpointFilter(async (context, next) =>
        {
            var request = context.HttpContext.Request;
            foreach (var (name, value) in request.Query)
                if (value.ToString().Length > MaxParameterLength) throw new QueryException(name, $"'{name}' is longer than {MaxParameterLength} characters");
            foreach (var (name, value) in request.RouteValues)
                if (value?.ToString() is { Length: > MaxParameterLength }) throw new QueryException(name, $"'{name}' is longer than {MaxParameterLength} characters");
            return await next(context);
        });

        api.MapGet("/datasets", (DatasetCatalog catalog) => TypedResults.Ok(catalog.ListDatasets()))
            .WithName("ListDatasets").WithSummary("Datasets tracked by pointer files at HEAD and in the work tree")
            .Produces<IReadOnlyList<DatasetRow>>();

        api.MapGet("/datasets/{dataset}/versions", (string dataset, DatasetCatalog catalog) =>
                TypedResults.Ok(catalog.Versions(Decode(dataset))))
            .WithName("ListVersions").WithSummary("Versions of a dataset from git history, newest first")
            .Produces<IReadOnlyList<VersionRow>>().ProducesProblem(400);

        api.MapGet("/datasets/{dataset}/versions/{rev}/files", async (string dataset, string rev, DatasetCatalog catalog, CancellationToken ct) =>
                TypedResults.Ok(await catalog.FilesAsync(Decode(dataset), Decode(rev), ct)))
            .WithName("ListFiles").WithSummary("Files of a version (repo-relative path, sha256, size)")
            .Produces<IReadOnlyList<FileRow>>().ProducesProblem(400).ProducesProblem(404);

        api.MapGet("/datasets/{dataset}/versions/{rev}/validation", async (string dataset, string rev, DatasetCatalog catalog, CancellationToken ct) =>
                await catalog.ValidationReportAsync(Decode(dataset), Decode(rev), ct) is { } report
                    ? TypedResults.Ok(report)
                    : NotFound($"version '{Decode(rev)}' of '{Decode(dataset)}' has no validation report (committed without validation)"))
            .WithName("GetValidationReport").WithSummary("The validation report stored for a version")
            .Produces<ReportView>().ProducesProblem(400).ProducesProblem(404);

        api.MapGet("/datasets/{dataset}/versions/{rev}/classes", async (string dataset, string rev, DatasetCatalog catalog, CancellationToken ct) =>
                TypedResults.Ok(await catalog.ClassBalanceAsync(Decode(dataset), Decode(rev), ct)))
            .WithName("GetClassBalance").WithSummary("Objects per YOLO class id over labels/**/*.txt of a version")
            .Produces<ClassBalanceView>().ProducesProblem(400).ProducesProblem(404);

        api.MapGet("/datasets/{dataset}/diff", async (string dataset, [FromQuery] string? from, [FromQuery] string? to, [FromQuery] string? detail,
                [FromQuery] double? iou, DatasetCatalog catalog, CancellationToken ct) =>
            {
                if (detail is not (null or "annotations")) throw new QueryException("detail", $"detail '{detail}' is not known; the valid value is 'annotations'");
                if (iou is { } t && !(t is > 0 and <= 1)) throw new QueryException("iou", "iou must be greater than 0 and at most 1");
                double? boxIou = detail is null ? null : iou ?? Core.Annotations.AnnotationDiff.DefaultIou;
                return TypedResults.Ok(await catalog.DiffAsync(Decode(dataset), from ?? "", to ?? "", ct, boxIou));
            })
            .WithName("DiffVersions").WithSummary("Files added, deleted and modified between two versions (?from=REV&to=REV); "
                + "?detail=annotations adds boxes added, removed, moved and relabelled per class and image (IoU threshold ?iou=, default 0.5)")
            .Produces<DiffView>().ProducesProblem(400).ProducesProblem(404);

        api.MapGet("/objects/{sha256}", (string sha256, DatasetCatalog catalog) =>
                catalog.OpenObject(sha256) is { } stream
                    ? TypedResults.Stream(stream, "application/octet-stream", fileDownloadName: sha256, entityTag: new Microsoft.Net.Http.Headers.EntityTagHeaderValue($"\"{sha256}\""))
                    : NotFound($"object {sha256} is not in the cache"))
            .WithName("GetObject").WithSummary("The bytes of a cached object by SHA-256 (verified while streamed)")
            .Produces(200, contentType: "application/octet-stream").ProducesProblem(400).ProducesProblem(404);

        return app;
    }

    private static string Decode(string segment) => Uri.UnescapeDataString(segment);

    private static IResult NotFound(string detail) => TypedResults.Problem(detail, statusCode: 404, title: "Not found");
}
