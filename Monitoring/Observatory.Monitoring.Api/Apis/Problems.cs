using System.Text.Json;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Http.HttpResults;
using Observatory.Monitoring.Contracts;
using Observatory.Monitoring.Core.Models;

namespace Observatory.Monitoring.Api.Apis;

/// <summary>400 responses that name the field (and index) at fault, as RFC 9457 validation problems.</summary>
internal static class Problems
{
    public static ValidationProblem Invalid(string title, IReadOnlyList<FieldError> errors) =>
        TypedResults.ValidationProblem(
            errors.GroupBy(e => e.Field).ToDictionary(g => g.Key, g => g.Select(e => e.Message).ToArray()),
            detail: string.Join("; ", errors.Take(5).Select(e => e.ToString())), title: title);

    public static ValidationProblem Invalid(string title, string field, string message) => Invalid(title, [new FieldError(field, message)]);

    public static ProblemHttpResult NotFound(string what) => TypedResults.Problem(statusCode: 404, title: "not found", detail: what);

    /// <summary>Reads a JSON body with a size cap, mapping malformed JSON and oversized bodies to a ProblemDetails result.</summary>
    public static async Task<(T? Value, ValidationProblem? Error)> ReadJsonAsync<T>(HttpRequest request, long maxBytes, string title, CancellationToken ct)
    {
        if (request.HttpContext.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } size) size.MaxRequestBodySize = maxBytes;
        if (request.ContentLength > maxBytes)
            return (default, Invalid(title, "body", $"body is {request.ContentLength} bytes; the limit is {maxBytes} (Monitoring:MaxBodyBytes)"));
        try
        {
            var value = await JsonSerializer.DeserializeAsync<T>(request.Body, MonitoringJson.Options, ct);
            if (value is null) return (default, Invalid(title, "body", "a JSON object is required"));
            return (value, null);
        }
        catch (JsonException ex)
        {
            var field = string.IsNullOrEmpty(ex.Path) ? "body" : ex.Path.TrimStart('$', '.');
            return (default, Invalid(title, field.Length == 0 ? "body" : field, $"malformed JSON{(ex.LineNumber is { } l ? $" at line {l + 1}, byte {ex.BytePositionInLine}" : "")}: {FirstSentence(ex.Message)}"));
        }
        catch (BadHttpRequestException ex) when (ex.StatusCode == StatusCodes.Status413PayloadTooLarge)
        {
            return (default, Invalid(title, "body", $"body exceeds {maxBytes} bytes (Monitoring:MaxBodyBytes)"));
        }
    }

    private static string FirstSentence(string message)
    {
        var i = message.IndexOf(". Path:", StringComparison.Ordinal);
        return i > 0 ? message[..i] : message;
    }
}
