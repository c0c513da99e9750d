using Microsoft.AspNetCore.Diagnostics;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Observatory.DataService.Core.Errors;
using Observatory.DataService.Core.Queries;
using Observatory.DataService.Core.Remotes;
using Observatory.Monitoring.Core.Alerts;
using Observatory.Monitoring.Core.IO;
using Observatory.Monitoring.Core.Ports;

namespace Observatory.ServiceDefaults;

/// <summary>
/// The one table from domain exceptions to ProblemDetails for every host (the CLI's <c>CommandAction</c> is its twin for
/// exit codes). The caller's mistakes (4xx) echo the message, which names the input at fault; failures on the server side
/// (5xx) never do: their messages carry server paths and remote addresses, so they go to the log only.
/// </summary>
internal sealed class ProblemExceptionHandler(IProblemDetailsService problems, IOptions<ServiceDefaultsOptions> options,
    ILogger<ProblemExceptionHandler> logger) : IExceptionHandler
{
    internal sealed record Mapping(int Status, string Title, bool EchoMessage, IDictionary<string, object?>? Extensions = null);

    /// <summary>The table. Order matters only where types derive from one another (leaves first).</summary>
    internal static Mapping? Map(Exception exception) => exception switch
    {
        QueryException q => new(400, $"Invalid parameter '{q.Parameter}'", true, new Dictionary<string, object?> { ["parameter"] = q.Parameter }),
        UsageException => new(400, "Invalid request", true),
        ValidationFailedException => new(400, "Validation failed", true),
        MatrixFormatException => new(400, "Invalid matrix", true),
        BadHttpRequestException b => new(b.StatusCode, "Bad request", true),
        QueryNotFoundException => new(404, "Not found", true),
        ConflictException => new(409, "Conflict", true),
        // A corrupt object or hash mismatch found while serving: the store's data is at fault, not the request.
        DataCheckException => new(500, "Stored data failed a check", false),
        RemoteTransientException => new(503, "A remote store is unavailable; try again later", false),
        StoreException => new(502, "The dataset store failed", false),
        // A model's reference dataset version cannot be read (moved repository, missing objects, no remote): the message names
        // the repository, pointer and revision the caller registered, and what to run.
        ReferenceUnavailableException => new(502, "The reference dataset cannot be read", true),
        _ => null,
    };

    public async ValueTask<bool> TryHandleAsync(HttpContext http, Exception exception, CancellationToken cancellationToken)
    {
        if (exception is OperationCanceledException && http.RequestAborted.IsCancellationRequested)
        {
            // The caller went away; nobody reads an answer.
            http.Response.StatusCode = 499;
            return true;
        }
        var mapping = Map(exception);
        if (mapping is null)
        {
            // A page host shows its own error page to a person; the framework re-executes it when no handler claims the error.
            if (options.Value.ErrorPagePath is not null) return false;
            mapping = new(500, "An unexpected error occurred", false);
        }
        if (mapping.Status >= 500)
            logger.LogError(exception, "{Method} {Path} failed with {Status}", http.Request.Method, http.Request.Path, mapping.Status);

        http.Response.StatusCode = mapping.Status;
        var problem = new ProblemDetails
        {
            Status = mapping.Status,
            Title = mapping.Title,
            Detail = mapping.EchoMessage ? exception.Message : "see the service log for details (traceId)",
        };
        foreach (var (key, value) in mapping.Extensions ?? new Dictionary<string, object?>()) problem.Extensions[key] = value;
        return await problems.TryWriteAsync(new ProblemDetailsContext { HttpContext = http, ProblemDetails = problem, Exception = null });
    }
}
