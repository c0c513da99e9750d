namespace Observatory.ServiceDefaults;

/// <summary>What a host changes of the shared plumbing; set in code by the host, not from configuration.</summary>
public sealed class ServiceDefaultsOptions
{
    /// <summary>
    /// A page that renders unexpected errors for people (the dashboard's <c>/error</c>). Null: an unexpected error is a
    /// ProblemDetails 500 like every mapped one.
    /// </summary>
    public string? ErrorPagePath { get; set; }
}
