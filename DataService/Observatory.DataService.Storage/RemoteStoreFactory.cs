using Observatory.DataService.Core.Config;
using Observatory.DataService.Core.Errors;
using Observatory.DataService.Core.Ports;

namespace Observatory.DataService.Storage;

/// <summary>
/// Opens a remote from its url: <c>s3://bucket/prefix</c> through Minio, anything else as a folder (relative to the workspace).
/// S3 settings come from the remote's config, then <c>OBS_S3_*</c>, then the usual <c>AWS_*</c> variables.
/// </summary>
/// <remarks>
/// A registry's committed <c>.obs/config</c> is anyone's input, while credentials from the environment are the user's own.
/// So for a <see cref="RemoteConfigOrigin.Foreign"/> configuration, environment credentials go only to an endpoint the
/// environment vouches for: the endpoint it names itself (<c>OBS_S3_ENDPOINT</c>, <c>AWS_ENDPOINT_URL*</c>), AWS when it names
/// none, or a host listed in <c>OBS_S3_TRUSTED_ENDPOINTS</c> (comma-separated <c>host[:port]</c>, the explicit opt-in).
/// The workspace's own configuration is the user's, and keeps using them.
/// </remarks>
public sealed class RemoteStoreFactory(Func<string, string?>? environment = null) : IRemoteStoreFactory
{
    private readonly Func<string, string?> _env = environment ?? Environment.GetEnvironmentVariable;

    public IRemoteStore Open(string name, RemoteConfig config, string workspaceRoot, RemoteConfigOrigin origin = RemoteConfigOrigin.OwnWorkspace)
    {
        var url = (config.Url ?? "").Trim();
        if (url.StartsWith("s3://", StringComparison.OrdinalIgnoreCase))
        {
            var rest = url["s3://".Length..];
            var slash = rest.IndexOf('/');
            var bucket = slash < 0 ? rest : rest[..slash];
            var prefix = slash < 0 ? "" : rest[(slash + 1)..].Trim('/');
            if (bucket.Length == 0) throw new UsageException($"remote '{name}': url '{url}' has no bucket (expected s3://bucket/prefix)");
            var endpoint = config.Endpoint ?? _env("OBS_S3_ENDPOINT") ?? _env("AWS_ENDPOINT_URL_S3") ?? _env("AWS_ENDPOINT_URL") ?? "https://s3.amazonaws.com";
            var access = config.AccessKey;
            var secret = config.SecretKey;
            if (access is null || secret is null)
            {
                var envAccess = _env("OBS_S3_ACCESS_KEY") ?? _env("AWS_ACCESS_KEY_ID");
                var envSecret = _env("OBS_S3_SECRET_KEY") ?? _env("AWS_SECRET_ACCESS_KEY");
                if (origin == RemoteConfigOrigin.Foreign && !string.IsNullOrEmpty(envAccess) && !EnvironmentVouchesFor(endpoint))
                    throw new UsageException(
                        $"the registry's remote '{name}' names the endpoint {endpoint}, which your environment does not name: " +
                        "your OBS_S3_*/AWS_* credentials are not sent to an endpoint another repository chose. If you trust it, " +
                        "add its host to OBS_S3_TRUSTED_ENDPOINTS (comma-separated host[:port])");
                access ??= envAccess;
                secret ??= envSecret;
            }
            if (string.IsNullOrEmpty(access) || string.IsNullOrEmpty(secret))
                throw new UsageException($"remote '{name}' has no credentials: set access_key/secret_key with 'obs remote set {name} access_key … --local', or OBS_S3_ACCESS_KEY/OBS_S3_SECRET_KEY, or AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY");
            var region = config.Region ?? _env("OBS_S3_REGION") ?? _env("AWS_REGION") ?? _env("AWS_DEFAULT_REGION") ?? "us-east-1";
            var ssl = config.UseSsl ?? !endpoint.StartsWith("http://", StringComparison.OrdinalIgnoreCase);
            return new S3Remote(new S3Settings(bucket, prefix, endpoint, ssl, region, access, secret));
        }
        if (url.Contains("://", StringComparison.Ordinal) && !url.StartsWith("file://", StringComparison.OrdinalIgnoreCase))
            throw new UsageException($"remote '{name}': url '{url}' is neither s3://bucket/prefix nor a folder path");
        var path = url.StartsWith("file://", StringComparison.OrdinalIgnoreCase) ? new Uri(url).LocalPath : url;
        return new FolderRemote(Path.IsPathRooted(path) ? path : Path.Combine(workspaceRoot, path));
    }

    /// <summary>True when the environment itself names this endpoint's host (or trusts it), so its credentials may go there.</summary>
    private bool EnvironmentVouchesFor(string endpoint)
    {
        var host = HostOf(endpoint);
        if (host is null) return false;
        var named = new[] { _env("OBS_S3_ENDPOINT"), _env("AWS_ENDPOINT_URL_S3"), _env("AWS_ENDPOINT_URL") }.Where(e => !string.IsNullOrEmpty(e)).ToList();
        if (named.Any(e => HostOf(e!) == host)) return true;
        if (named.Count == 0 && (host == "s3.amazonaws.com" || host.EndsWith(".amazonaws.com", StringComparison.Ordinal))) return true;
        var trusted = (_env("OBS_S3_TRUSTED_ENDPOINTS") ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        return trusted.Any(t => HostOf(t) == host);
    }

    /// <summary>"host" or "host:port" of an endpoint URL, lower case; null when it is not a URL.</summary>
    private static string? HostOf(string endpoint) =>
        Uri.TryCreate(endpoint.Contains("://", StringComparison.Ordinal) ? endpoint : "https://" + endpoint, UriKind.Absolute, out var u)
            ? (u.IsDefaultPort ? u.Host : $"{u.Host}:{u.Port}").ToLowerInvariant()
            : null;
}
