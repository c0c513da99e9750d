namespace Observatory.Dashboard.Security;

/// <summary>
/// Headers every dashboard response carries. The policy allows only the dashboard's own scripts (no inline script, so an
/// injected one does not run), inline styles (Radzen sets style attributes), and images from anywhere over http(s):
/// production events may name their image by URL.
/// </summary>
public static class SecurityHeaders
{
    public const string ContentSecurityPolicy =
        "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data: http: https:; " +
        "font-src 'self' data:; connect-src 'self'; object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'";

    /// <summary>Served objects are data, never a document: nothing in them may run even if a browser renders one.</summary>
    public const string ObjectPolicy = "default-src 'none'; img-src 'self'; style-src 'unsafe-inline'; sandbox";

    public static IApplicationBuilder UseSecurityHeaders(this IApplicationBuilder app) =>
        app.Use((context, next) =>
        {
            var headers = context.Response.Headers;
            headers.XContentTypeOptions = "nosniff";
            headers.ContentSecurityPolicy = ContentSecurityPolicy;
            headers.XFrameOptions = "DENY";
            headers["Referrer-Policy"] = "same-origin";
            return next(context);
        });

    /// <summary>
    /// Content type and disposition of an object served under a caller-chosen name: raster images inline, anything else
    /// (HTML, SVG, scripts, unknown) as an attachment of type application/octet-stream, so a stored file cannot become a page.
    /// </summary>
    public static (string ContentType, bool Inline) ForObject(string? name, Microsoft.AspNetCore.StaticFiles.IContentTypeProvider types) =>
        name is not null && types.TryGetContentType(name, out var type) && IsRasterImage(type)
            ? (type, true)
            : ("application/octet-stream", false);

    private static bool IsRasterImage(string type) =>
        type is "image/jpeg" or "image/png" or "image/gif" or "image/webp" or "image/bmp" or "image/tiff" or "image/avif" or "image/x-icon";
}
