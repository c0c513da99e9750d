using System.Buffers;
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
        byte[]? buffer = null;
        try
        {
            // The whole body first (never more than maxBytes), then one synchronous parse: a batch of 500 events of 512 floats is
            // about 5 MB, and the resumable parse DeserializeAsync does over a stream costs more CPU per number than a parse of a
            // span that holds the whole document (measured in the note on ingestion, bench ingest).
            int length;
            (buffer, length) = await ReadBodyAsync(request, maxBytes, ct);
            if (buffer is null) return (default, Invalid(title, "body", $"body exceeds {maxBytes} bytes (Monitoring:MaxBodyBytes)"));
            var value = JsonSerializer.Deserialize<T>(buffer.AsSpan(0, length), MonitoringJson.Options);
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
        finally
        {
            if (buffer is not null) ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    /// <summary>
    /// The body in a pooled buffer (the caller returns it), or a null buffer past <paramref name="maxBytes"/>. The buffer starts at the
    /// declared length (already checked against the limit) or 64 KB and doubles, so a client that lies about its length or sends
    /// none costs at most twice the limit, never more.
    /// </summary>
    private static async Task<(byte[]? Buffer, int Length)> ReadBodyAsync(HttpRequest request, long maxBytes, CancellationToken ct)
    {
        var cap = (int)Math.Min(maxBytes, Array.MaxLength - 1);
        // Not Math.Clamp: a limit under 64 KB (an acknowledgement's is 16 KB) would put its lower bound above its upper one.
        var buffer = ArrayPool<byte>.Shared.Rent((int)Math.Min(Math.Max(request.ContentLength ?? 0, 64 * 1024), cap + 1L));
        var length = 0;
        try
        {
            while (true)
            {
                if (length == buffer.Length)
                {
                    if (length > cap) { ArrayPool<byte>.Shared.Return(buffer); return (null, 0); }
                    var larger = ArrayPool<byte>.Shared.Rent((int)Math.Min(2L * buffer.Length, cap + 1L));
                    buffer.AsSpan(0, length).CopyTo(larger);
                    ArrayPool<byte>.Shared.Return(buffer);
                    buffer = larger;
                }
                var read = await request.Body.ReadAsync(buffer.AsMemory(length), ct);
                if (read == 0) break;
                length += read;
            }
            if (length > cap) { ArrayPool<byte>.Shared.Return(buffer); return (null, 0); }
            return (buffer, length);
        }
        catch
        {
            ArrayPool<byte>.Shared.Return(buffer);
            throw;
        }
    }

    private static string FirstSentence(string message)
    {
        var i = message.IndexOf(". Path:", StringComparison.Ordinal);
        return i > 0 ? message[..i] : message;
    }
}
