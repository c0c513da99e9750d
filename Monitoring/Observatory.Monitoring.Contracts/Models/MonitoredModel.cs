namespace Observatory.Monitoring.Contracts;

/// <summary>
/// Where a model's baseline accuracy is read: a metrics file committed to its registry (repository-relative <paramref name="Path"/>,
/// the number at <paramref name="Key"/>, keys flattened with '.'), at <paramref name="Revision"/> — by default the revision of
/// the model's registry model version, else HEAD.
/// </summary>
public sealed record MetricsBaseline(string Path, string Key, string? Revision = null);

/// <summary>
/// A version of a monitored model as it was registered: what embedded its images, what it was trained on, its baseline and
/// stage, and when it was registered and replaced. Kept when a newer version is registered.
/// </summary>
public sealed record ModelVersionRecord(string Version, string? EmbeddingModel, ReferenceDataset? TrainedOn, double? BaselineAccuracy, string? Stage,
    DateTimeOffset RegisteredAt, DateTimeOffset ReplacedAt);

/// <summary>A dataset version that is the model's reference distribution: git repo path + pointer path + revision.</summary>
public sealed record ReferenceDataset(string RepoPath, string PointerPath, string Revision);

/// <summary>
/// A model under monitoring. Embeddings are either sent by the client (<see cref="EmbeddingDimension"/> &gt; 0) or absent.
/// Events timestamped before <see cref="ReferenceUntil"/> form the reference period (NannyML's reference chunk) used for
/// prediction/confidence drift, embedding drift when no dataset reference is embedded, and the confidence calibration.
/// </summary>
public sealed record MonitoredModel
{
    public required string Name { get; init; }
    public string Version { get; init; } = "1";

    /// <summary>Optional deployment stage of <see cref="Version"/>: <c>staging</c> or <c>production</c>.</summary>
    public string? Stage { get; init; }

    /// <summary>When <see cref="Version"/> was registered (a re-registration of the same version keeps it).</summary>
    public DateTimeOffset? VersionRegisteredAt { get; init; }

    /// <summary>The versions registered before <see cref="Version"/>, oldest first: registering N+1 keeps N.</summary>
    public IReadOnlyList<ModelVersionRecord> PreviousVersions { get; init; } = [];
    public ReferenceDataset? Reference { get; init; }
    public DateTimeOffset? ReferenceUntil { get; init; }
    public int EmbeddingDimension { get; init; }

    /// <summary>
    /// What makes the model's embeddings: <see cref="ClientEmbeddings"/> (sent with events, <see cref="EmbeddingDimension"/>
    /// values each; image uploads refused), or the service's encoder by name (<c>resnet18</c>, <c>random</c>, or its model
    /// file), whose dimension registration fills in. Null: not said (registered before the field existed).
    /// </summary>
    public string? EmbeddingModel { get; init; }

    /// <summary>
    /// The identity (model bytes + preprocessing) of the encoder <see cref="EmbeddingModel"/> named when the model was registered:
    /// a revision that moves later (<c>models/x@HEAD</c>) cannot silently swap the model under the comparison.
    /// </summary>
    public string? EmbeddingModelKey { get; init; }

    /// <summary>The dataset version the monitored model was trained on: the version a retraining starts from.</summary>
    public ReferenceDataset? TrainedOn { get; init; }

    public required IReadOnlyList<string> Classes { get; init; }
    public double? BaselineAccuracy { get; init; }

    /// <summary>Baseline recall per class (class name → recall), for <see cref="AlertRuleKind.ClassRecallBelow"/>; a class without one uses <see cref="BaselineAccuracy"/>.</summary>
    public IReadOnlyDictionary<string, double>? ClassBaselines { get; init; }

    /// <summary>The metrics file <see cref="BaselineAccuracy"/> was read from at registration; null when it was given as a number.</summary>
    public MetricsBaseline? BaselineFrom { get; init; }

    /// <summary>Quartz cron expression (seconds first) for the drift and accuracy jobs.</summary>
    public string Schedule { get; init; } = "0 0/5 * * * ?";

    /// <summary>Length of the window of recent events a drift/accuracy run looks at.</summary>
    public TimeSpan Window { get; init; } = TimeSpan.FromHours(1);

    /// <summary>Drift methods for embeddings (names as `obs drift --method` takes them); the default pair are tests with calibrated p-values, which stay quiet on small clean windows where effect sizes (Wasserstein) are noisy.</summary>
    public IReadOnlyList<string> DriftMethods { get; init; } = ["mmd", "ks"];

    public IReadOnlyList<AlertRule> AlertRules { get; init; } = AlertRule.Defaults;

    /// <summary>
    /// Days the images this model's events name are kept in the image store after its newest event naming them; null keeps them
    /// for good. An image another model still needs, an open export or a dataset version names is kept whatever its age.
    /// </summary>
    public int? ImageRetentionDays { get; init; }

    public DateTimeOffset CreatedAt { get; init; }
    public DateTimeOffset UpdatedAt { get; init; }

    /// <summary>The longest <see cref="ImageRetentionDays"/> (ten years); longer is "for good", said by leaving it out.</summary>
    public const int MaxImageRetentionDays = 3650;

    /// <summary>The stages a version may be in.</summary>
    public static IReadOnlyList<string> Stages { get; } = ["staging", "production"];

    /// <summary>The <see cref="EmbeddingModel"/> of a model whose clients send the embeddings.</summary>
    public const string ClientEmbeddings = "client";

    /// <summary>Index of a class name in <see cref="Classes"/> (ordinal match), -1 when the model has no such class.</summary>
    public int ClassIndex(string name)
    {
        for (var i = 0; i < Classes.Count; i++)
            if (string.Equals(Classes[i], name, StringComparison.Ordinal)) return i;
        return -1;
    }
}
