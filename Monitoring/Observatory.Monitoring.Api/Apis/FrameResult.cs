using System.Globalization;
using System.Reflection;
using System.Text;
using Apache.Arrow;
using Apache.Arrow.Ipc;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Http.Metadata;
using Microsoft.Data.Analysis;

namespace Observatory.Monitoring.Api.Apis;

/// <summary>How a tabular read answers, chosen by <c>?format=</c>: JSON (the default), CSV, or an Arrow IPC stream.</summary>
public enum TableFormat
{
    Json,
    Csv,
    Arrow,
}

public static class TableFormats
{
    public const string Csv = "text/csv";
    public const string Arrow = "application/vnd.apache.arrow.stream";

    /// <summary>The format asked for, or the 400 naming <c>format</c> and the valid values.</summary>
    public static (TableFormat Format, ValidationProblem? Invalid) Parse(string? value) => value?.ToLowerInvariant() switch
    {
        null or "" or "json" => (TableFormat.Json, null),
        "csv" => (TableFormat.Csv, null),
        "arrow" => (TableFormat.Arrow, null),
        _ => (TableFormat.Json, Problems.Invalid("invalid format", "format", $"'{value}' is not a format; valid: json (default), csv, arrow")),
    };
}

/// <summary>
/// Writes data frames as one CSV (header once) or one Arrow IPC stream (a record batch per frame), a frame at a time: the caller
/// yields frames as it reads pages, so a response of millions of rows holds one page. The frames must yield at least one frame
/// (an empty one for no rows): it carries the columns.
/// </summary>
public sealed class FrameResult(TableFormat format, string fileName, IAsyncEnumerable<DataFrame> frames) : IResult, IEndpointMetadataProvider
{
    // No BOM: each frame is written on its own, and a BOM would land before every one after the first.
    private static readonly Encoding Utf8 = new UTF8Encoding(encoderShouldEmitUTF8Identifier: false);

    /// <summary>One whole frame (a result series of at most a thousand windows).</summary>
    public static FrameResult Of(TableFormat format, string fileName, DataFrame frame) => new(format, fileName, One(frame));

    private static async IAsyncEnumerable<DataFrame> One(DataFrame frame)
    {
        await Task.CompletedTask;
        yield return frame;
    }

    public async Task ExecuteAsync(HttpContext httpContext)
    {
        var response = httpContext.Response;
        var ct = httpContext.RequestAborted;
        var extension = format == TableFormat.Arrow ? "arrows" : "csv";
        response.ContentType = format == TableFormat.Arrow ? TableFormats.Arrow : TableFormats.Csv + "; charset=utf-8";
        response.Headers.ContentDisposition = new System.Net.Http.Headers.ContentDispositionHeaderValue("attachment") { FileNameStar = $"{fileName}.{extension}" }.ToString();
        if (format == TableFormat.Arrow) await WriteArrowAsync(response.Body, ct);
        else await WriteCsvAsync(response.Body, ct);
    }

    private async Task WriteCsvAsync(Stream body, CancellationToken ct)
    {
        // SaveCsv writes synchronously, which Kestrel refuses on the response: each frame goes to memory, then out asynchronously.
        using var buffer = new MemoryStream();
        var first = true;
        await foreach (var frame in frames.WithCancellation(ct))
        {
            buffer.SetLength(0);
            DataFrame.SaveCsv(frame, buffer, ',', header: first, Utf8, CultureInfo.InvariantCulture);
            first = false;
            buffer.Position = 0;
            await buffer.CopyToAsync(body, ct);
            await body.FlushAsync(ct);
        }
    }

    private async Task WriteArrowAsync(Stream body, CancellationToken ct)
    {
        ArrowStreamWriter? writer = null;
        Schema? schema = null;
        try
        {
            await foreach (var frame in frames.WithCancellation(ct))
                foreach (var batch in frame.ToArrowRecordBatches())
                {
                    // Every field nullable: the frame marks a column nullable only when this page has a null, and the stream has one schema.
                    schema ??= new Schema(batch.Schema.FieldsList.Select(f => new Field(f.Name, f.DataType, nullable: true)), null);
                    writer ??= new ArrowStreamWriter(body, schema, leaveOpen: true);
                    await writer.WriteRecordBatchAsync(new RecordBatch(schema, batch.Arrays, batch.Length), ct);
                    await body.FlushAsync(ct);
                }
            if (writer is not null) await writer.WriteEndAsync(ct);
        }
        finally
        {
            writer?.Dispose();
        }
    }

    // The JSON 200 stays the endpoint's declared response; FrameOpenApi adds the table content types to it.
    public static void PopulateMetadata(MethodInfo method, EndpointBuilder builder) => builder.Metadata.Add(FrameOpenApi.Marker);
}

/// <summary>Documents <c>?format=</c>: the endpoints that answer tables list text/csv and the Arrow stream beside JSON.</summary>
public static class FrameOpenApi
{
    internal static readonly object Marker = new FrameExportMarker();

    private sealed record FrameExportMarker;

    public static Task TransformAsync(Microsoft.OpenApi.OpenApiOperation operation, Microsoft.AspNetCore.OpenApi.OpenApiOperationTransformerContext context, CancellationToken ct)
    {
        if (!context.Description.ActionDescriptor.EndpointMetadata.Contains(Marker)) return Task.CompletedTask;
        if (operation.Responses?.TryGetValue("200", out var ok) == true && ok is Microsoft.OpenApi.OpenApiResponse response)
        {
            response.Content ??= new Dictionary<string, Microsoft.OpenApi.OpenApiMediaType>();
            foreach (var type in new[] { TableFormats.Csv, TableFormats.Arrow })
                response.Content[type] = new Microsoft.OpenApi.OpenApiMediaType { Schema = new Microsoft.OpenApi.OpenApiSchema { Type = Microsoft.OpenApi.JsonSchemaType.String, Format = "binary" } };
        }
        foreach (var p in operation.Parameters ?? [])
            if (p is Microsoft.OpenApi.OpenApiParameter { Name: "format" } format)
                format.Description = "json (default), csv (text/csv) or arrow (application/vnd.apache.arrow.stream, one record batch per page)";
        return Task.CompletedTask;
    }
}
