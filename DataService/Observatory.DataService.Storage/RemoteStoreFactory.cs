using Observatory.DataService.Core.Config;
using Observatory.DataService.Core.Errors;
using Observatory.DataService.Core.Ports;

namespace Observatory.DataService.Storage;

/// <summary>
/// Opens a remote from its url: <c>s3://bucket/prefix</c> through Minio, anything else as a folder (relative to the workspace).
/// S3 settings come from the remote's config, then <c>OBS_S3_*</c>, then the usual <c>AWS_*</c> variables.
/// </summary>
public sealed class RemoteStoreFactory(Func<string, string?>? environment = null) : IRemoteStoreFactory
{
    private readonly Func<string, string?> _env = environment ?? Environment.GetEnvironmentVariable;

    public IRemoteStore Open(string name, RemoteConfig config, string workspaceRoot)
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
            var access = config.AccessKey ?? _env("OBS_S3_ACCESS_KEY") ?? _env("AWS_ACCESS_KEY_ID");
            var secret = config.SecretKey ?? _env("OBS_S3_SECRET_KEY") ?? _env("AWS_SECRET_ACCESS_KEY");
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
}
