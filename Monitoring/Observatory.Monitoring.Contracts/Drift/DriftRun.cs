namespace Observatory.Monitoring.Contracts;

/// <summary>
/// Full record of one drift run, stored as the result's JSON and served as its details. <see cref="Window"/> carries the verdicts
/// alert rules read; the per-report and per-feature verdicts are decided once by the service, so clients show them as they are.
/// </summary>
public sealed record DriftRun(WindowResult Window, DriftRunReport? Embedding, DriftRunReport? Prediction, DriftRunReport? Confidence, string? Note)
{
    /// <summary>
    /// Embedding drift of each model version's events in the window against the same reference, when two or more versions
    /// served at least the minimum of events each: the drift series per version (null otherwise).
    /// </summary>
    public IReadOnlyDictionary<string, DriftRunReport>? EmbeddingByVersion { get; init; }

    /// <summary>What the window was compared against (null in results stored before it was recorded).</summary>
    public DriftReference? Reference { get; init; }

    /// <summary>How many events each side held and how many the methods read (null in results stored before sampling was recorded).</summary>
    public DriftSampling? Sampling { get; init; }

    /// <summary>Per-feature drift of the image statistics (brightness, contrast, sharpness, …) when images were uploaded.</summary>
    public DriftRunReport? ImageStatistics { get; init; }

    /// <summary>Names of <see cref="ImageStatistics"/>' dimensions, in order.</summary>
    public IReadOnlyList<string>? ImageFeatureNames { get; init; }

    /// <summary>Confidences of the reference period and of the window in ten bins over [0, 1].</summary>
    public HistogramBins? ConfidenceHistogram { get; init; }

    /// <summary>Share of each predicted class in the reference period and in the window, when prediction drift ran.</summary>
    public IReadOnlyList<ClassShare>? ClassShares { get; init; }

    /// <summary>Share of embedding dimensions flagged by the per-dimension test (KS under its correction, else Wasserstein), when one ran.</summary>
    public double? EmbeddingShareDrifted { get; init; }

    /// <summary>One verdict per image statistic, in <see cref="ImageFeatureNames"/> order, when image statistics were compared.</summary>
    public IReadOnlyList<ImageFeatureVerdict>? ImageFeatures { get; init; }

    /// <summary>The same run without per-dimension arrays longer than <paramref name="maxArrayLength"/> in method details (a chart needs the verdicts, not 512 p-values a window).</summary>
    public DriftRun Compact(int maxArrayLength) => this with
    {
        Embedding = Embedding?.Compact(maxArrayLength),
        Prediction = Prediction?.Compact(maxArrayLength),
        Confidence = Confidence?.Compact(maxArrayLength),
        ImageStatistics = ImageStatistics?.Compact(maxArrayLength),
    };
}

/// <summary>
/// The reference a drift window was compared against: a dataset version (<see cref="Dataset"/> as the model named it, and
/// <see cref="Tree"/>, the version's content hash, which tells two versions apart even when the revision is a moving name like
/// HEAD), or the model's reference period of events before <see cref="Until"/>.
/// </summary>
public sealed record DriftReference(ReferenceDataset? Dataset, string? Tree, DateTimeOffset? Until)
{
    /// <summary>Short text for pages and messages: <c>shapes-train.obs@v3 (tree 5e9590f6)</c> or <c>events before …</c>.</summary>
    public string Label => Dataset is { } d
        ? $"{d.PointerPath}@{d.Revision}" + (Tree is { Length: >= 8 } t ? $" (tree {t[..8]})" : "")
        : Until is { } u ? $"events before {u.UtcDateTime:yyyy-MM-dd HH:mm} UTC" : "none";

    /// <summary>Two windows compared against the same data have the same key.</summary>
    [System.Text.Json.Serialization.JsonIgnore]
    public string Key => Dataset is { } d ? Tree ?? $"{d.RepoPath}|{d.PointerPath}|{d.Revision}" : $"period|{Until:O}";
}

/// <summary>
/// What a drift run read: a window of millions is sampled in the database (the same uniform sample each time, chosen by a hash
/// of each event's id), so the verdicts rest on <see cref="Events"/> of the <see cref="WindowEvents"/> events, and embedding and
/// image-statistic drift on the first <see cref="Embeddings"/> of those. Counts, version shares and the error rate are exact.
/// The reference side is the same for a reference period; a dataset reference reads its own embeddings (its counts are null).
/// </summary>
public sealed record DriftSampling(long WindowEvents, int Events, int Embeddings, long? ReferenceEvents, int? ReferenceEventsRead, int? ReferenceEmbeddings);
