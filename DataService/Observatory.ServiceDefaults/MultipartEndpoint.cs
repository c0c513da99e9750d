using Microsoft.AspNetCore.Builder;

namespace Observatory.ServiceDefaults;

/// <summary>Marks an endpoint that takes multipart/form-data, the one exception to "writes are JSON" of <see cref="RequestGuard"/>.</summary>
public static class MultipartEndpoint
{
    public static TBuilder AcceptsMultipart<TBuilder>(this TBuilder builder) where TBuilder : IEndpointConventionBuilder =>
        builder.WithMetadata(Marker.Instance);

    // A marker of our own, not IAcceptsMetadata: the OpenAPI generator would document (and choke on) a body without a type.
    internal sealed class Marker
    {
        public static readonly Marker Instance = new();
    }
}
