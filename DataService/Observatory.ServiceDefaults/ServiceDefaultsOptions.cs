using Microsoft.AspNetCore.Http;

namespace Observatory.ServiceDefaults;

/// <summary>What a host changes of the shared plumbing; set in code by the host, not from configuration.</summary>
public sealed class ServiceDefaultsOptions
{
    /// <summary>
    /// A page that renders unexpected errors for people (the dashboard's <c>/error</c>). Null: an unexpected error is a
    /// ProblemDetails 500 like every mapped one.
    /// </summary>
    public string? ErrorPagePath { get; set; }

    /// <summary>
    /// The host's API keys, read from its own options. Null: the host authenticates people itself (the dashboard's login) and
    /// <see cref="RequestGuard"/> checks no key.
    /// </summary>
    public Func<IServiceProvider, ApiKeys>? ApiKeys { get; set; }

    /// <summary>Requests that are expensive to answer (large scans); they share a per-caller rate limit. Null: none.</summary>
    public Func<HttpContext, bool>? IsCostly { get; set; }

    /// <summary>Costly requests one caller (API key, else address) may make per minute.</summary>
    public int CostlyRequestsPerMinute { get; set; } = 120;
}

/// <summary>
/// Keys a caller sends in <see cref="RequestGuard.KeyHeader"/>. The read key opens reads only; the write key opens reads too
/// (a client that may write may also read). <see cref="Settings"/> names the configuration keys, for error messages.
/// </summary>
public sealed record ApiKeys(string? ReadKey, string? WriteKey, string Settings)
{
    public bool Any => !string.IsNullOrEmpty(ReadKey) || !string.IsNullOrEmpty(WriteKey);
}
