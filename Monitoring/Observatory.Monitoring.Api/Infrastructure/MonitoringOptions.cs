using Observatory.Monitoring.Core.Images;

namespace Observatory.Monitoring.Api.Infrastructure;

/// <summary>Section "Monitoring".</summary>
public sealed class MonitoringOptions
{
    public const string Section = "Monitoring";

    /// <summary>"sqlite" (default, one file) or "postgres" (ConnectionStrings:Monitoring).</summary>
    public string Store { get; set; } = "sqlite";

    /// <summary>
    /// Required in header X-Api-Key on writes. When empty, writes are accepted only from loopback. When the service is bound
    /// beyond loopback, every endpoint but /healthz (reads and /metrics too) needs this key or <see cref="ReadApiKey"/>.
    /// </summary>
    public string? ApiKey { get; set; }

    /// <summary>
    /// Optional key for reads only (a Prometheus scraper, a read-only client); <see cref="ApiKey"/> opens reads too. When set,
    /// reads need a key even on loopback; without it they need one only when the service is bound beyond loopback.
    /// </summary>
    public string? ReadApiKey { get; set; }

    public int MaxBatchSize { get; set; } = 10_000;
    public long MaxBodyBytes { get; set; } = 64L * 1024 * 1024;

    /// <summary>Raw embeddings older than this are pruned by the retention job; results are kept.</summary>
    public int RetentionDays { get; set; } = 30;

    /// <summary>
    /// Events older than this many days are deleted by the retention job (on PostgreSQL whole day partitions are dropped), except
    /// each model's reference period and events whose image an open export holds; their kept images go with them. 0 (the
    /// default) keeps events for good. Not shorter than <see cref="RetentionDays"/>.
    /// </summary>
    public int EventRetentionDays { get; set; }

    /// <summary>Most recent events a drift run reads from its window (then sampled down by the drift options).</summary>
    public int MaxWindowEvents { get; set; } = 100_000;

    /// <summary>Most items one export of a drift window may ask for (<c>count</c> of POST /api/models/{m}/exports).</summary>
    public int MaxExportItems { get; set; } = 5000;

    /// <summary>Events read, built into a data frame and written per page of GET /api/models/{m}/events (CSV, Arrow, JSON).</summary>
    public int EventExportBatchSize { get; set; } = 10_000;

    /// <summary>Seconds between runs of the notification delivery job.</summary>
    public double DeliveryIntervalSeconds { get; set; } = 10;

    /// <summary>First retry delay; doubles per attempt up to <see cref="MaxRetryDelaySeconds"/>. Delivery never gives up.</summary>
    public double RetryBaseDelaySeconds { get; set; } = 5;
    public double MaxRetryDelaySeconds { get; set; } = 300;

    public List<WebhookOptions> Webhooks { get; set; } = [];

    /// <summary>
    /// Where people open the dashboard (e.g. https://observatory.example.com): notices link to the Model page at the alert's
    /// window (<c>generatorURL</c>). Empty: notices carry no link.
    /// </summary>
    public string? DashboardUrl { get; set; }

    /// <summary>A still-firing, unacknowledged alert is notified again after this many hours (Alertmanager's repeat_interval); 0 never.</summary>
    public double RepeatIntervalHours { get; set; } = 4;

    /// <summary>Where reference-dataset embeddings are cached (one entry per dataset tree + encoder).</summary>
    public string EmbeddingCacheDirectory { get; set; } = "embedding-cache";

    public QuartzClusterOptions Quartz { get; set; } = new();

    /// <summary>
    /// Folders under which a model's reference repository may lie (<c>reference.repoPath</c>). A caller with the key may
    /// otherwise make the service open any repository on the disk. Empty: the folder the service was started in (and nothing
    /// when that is the file system root).
    /// </summary>
    public List<string> ReferenceRoots { get; set; } = [];

    /// <summary>The roots in force, as full paths.</summary>
    public IReadOnlyList<string> EffectiveReferenceRoots()
    {
        if (ReferenceRoots.Count > 0) return ReferenceRoots.Select(Path.GetFullPath).ToList();
        var cwd = Path.GetFullPath(Environment.CurrentDirectory);
        return Path.GetPathRoot(cwd) == cwd ? [] : [cwd];
    }

    /// <summary>Size limits of every image the service decodes (uploads and reference datasets), checked from the header.</summary>
    public ImageLimitOptions Images { get; set; } = new();

    /// <summary>
    /// Section "Monitoring:ImageStore": where uploaded images are kept, content-addressed (a folder — relative to the working
    /// directory — or s3://bucket/prefix with Endpoint, Region, UseSsl; credentials as for `obs`: OBS_S3_*/AWS_* variables).
    /// </summary>
    public Observatory.DataService.Core.Config.RemoteConfig ImageStore { get; set; } = new() { Url = "images" };

    /// <summary>
    /// <see cref="ImageStore"/> with empty settings read as unset. appsettings.json lists every key (so deployments can set them
    /// by environment variable) with empty values, and an empty endpoint or key must fall back to the OBS_S3_*/AWS_* variables
    /// as an absent one does, not be used as given.
    /// </summary>
    public Observatory.DataService.Core.Config.RemoteConfig EffectiveImageStore() => new()
    {
        Url = string.IsNullOrWhiteSpace(ImageStore.Url) ? null : ImageStore.Url,
        Endpoint = string.IsNullOrWhiteSpace(ImageStore.Endpoint) ? null : ImageStore.Endpoint,
        Region = string.IsNullOrWhiteSpace(ImageStore.Region) ? null : ImageStore.Region,
        UseSsl = ImageStore.UseSsl,
        AccessKey = string.IsNullOrEmpty(ImageStore.AccessKey) ? null : ImageStore.AccessKey,
        SecretKey = string.IsNullOrEmpty(ImageStore.SecretKey) ? null : ImageStore.SecretKey,
    };

    /// <summary>Section "Monitoring:ImageFetch": the origins whose <c>imageUri</c>s the service fetches, keeps and embeds.</summary>
    public ImageFetchOptions ImageFetch { get; set; } = new();
}

/// <summary>
/// Section "Monitoring:ImageFetch". An event of <c>POST …/events</c> without an embedding may name its image by <c>imageUri</c>;
/// the service fetches it only from these exact origins (scheme, host and port), never following a redirect elsewhere: a URL a
/// client sends must not make the service reach into the network it sits in (SSRF). Empty (the default): nothing is fetched.
/// </summary>
public sealed class ImageFetchOptions
{
    /// <summary>Allowed origins, e.g. <c>https://images.example.com</c> or <c>http://10.0.0.5:8080</c>: no path, query or user info.</summary>
    public List<string> Origins { get; set; } = [];

    /// <summary>How long one image may take, redirects included.</summary>
    public double TimeoutSeconds { get; set; } = 10;

    /// <summary>Most images one batch may have fetched (each fetch is a request the service makes on the client's word).</summary>
    public int MaxPerBatch { get; set; } = 64;

    /// <summary>Why the options cannot be used (naming the entry), or null when they can.</summary>
    public string? Refuse()
    {
        foreach (var origin in Origins)
            if (Services.ImageOrigins.Parse(origin) is null)
                return $"Monitoring:ImageFetch:Origins entry '{origin}' is not an origin: an absolute http or https URL with a host and, optionally, a port — no path, query, fragment or user info (e.g. https://images.example.com)";
        if (TimeoutSeconds is <= 0 or > 300) return "Monitoring:ImageFetch:TimeoutSeconds must be in (0, 300]";
        if (MaxPerBatch < 1) return "Monitoring:ImageFetch:MaxPerBatch must be at least 1";
        return null;
    }
}

/// <summary>
/// Section "Monitoring:Images". Defaults are `obs validate`'s (a dataset version that validates can be a reference);
/// an image over a limit is refused with a 400 naming it before any pixel memory is allocated.
/// </summary>
public sealed class ImageLimitOptions
{
    public int MaxSide { get; set; } = Observatory.DataService.Core.Validation.ValidationRules.Default.MaxSide;
    public long MaxPixels { get; set; } = Observatory.DataService.Core.Validation.ValidationRules.Default.MaxPixels;
    public long MaxImageBytes { get; set; } = Observatory.DataService.Core.Validation.ValidationRules.Default.MaxImageBytes;
    /// <summary>Decoded pixels (4 bytes each) of all decodes in flight together; bounds what one request, or many, can take.</summary>
    public int DecodeMemoryMegabytes { get; set; } = 1024;

    public ImageDecodeLimits ToLimits() => new()
    {
        MaxSide = MaxSide,
        MaxPixels = MaxPixels,
        MaxEncodedBytes = MaxImageBytes,
        DecodeMemoryBytes = DecodeMemoryMegabytes * 1024L * 1024,
    };
}

/// <summary>One webhook channel; Format "json" (generic) or "slack" (Slack incoming-webhook payload).</summary>
public sealed class WebhookOptions
{
    public string Name { get; set; } = "";
    public string Url { get; set; } = "";
    public string Format { get; set; } = "json";
    /// <summary>How long one delivery to this endpoint may take; deliveries to other endpoints go on meanwhile.</summary>
    public double TimeoutSeconds { get; set; } = 10;
}

/// <summary>With the PostgreSQL store, Quartz can use its clustered ADO.NET job store so several instances share one schedule.</summary>
public sealed class QuartzClusterOptions
{
    public bool Clustered { get; set; }
    public string InstanceName { get; set; } = "observatory-monitoring";
    public string InstanceId { get; set; } = "AUTO";
}
