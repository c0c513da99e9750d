using Observatory.DataService.Core.Errors;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;
using YamlDotNet.Serialization;
using YamlDotNet.Serialization.NamingConventions;

namespace Observatory.DataService.Core.Validation;

/// <summary>
/// Thresholds and policies of validation, bound from the <c>validation:</c> section of <c>.obs/config</c> (snake_case keys,
/// documented in docs/validation.md). Every property has a default, so an absent section validates with sensible rules.
/// </summary>
public sealed record ValidationRules
{
    /// <summary>Ultralytics refuses images with a side under 10 px.</summary>
    public int MinWidth { get; init; } = 10;
    public int MinHeight { get; init; } = 10;
    /// <summary>Header dimensions above these are refused before decoding (decompression bombs).</summary>
    public int MaxSide { get; init; } = 30_000;
    public long MaxPixels { get; init; } = 200_000_000;
    public long MaxImageBytes { get; init; } = 100L * 1024 * 1024;
    public long MinImageBytes { get; init; }
    /// <summary>Colour modes (grayscale, grayscale_alpha, rgb, rgba, palette, cmyk) mapped to the severity they raise; absent = allowed.</summary>
    public Dictionary<string, string> ColourModes { get; init; } = new(StringComparer.Ordinal)
    {
        ["grayscale"] = "warning",
        ["grayscale_alpha"] = "warning",
        ["rgba"] = "warning",
        ["cmyk"] = "warning",
    };
    /// <summary>
    /// Pixel variance (mean of the R, G, B variances, 0..255 scale, on the downscaled image) under which an image is near-constant:
    /// 1 = a standard deviation of about one level.
    /// </summary>
    public double MinPixelVariance { get; init; } = 1.0;
    /// <summary>Hamming distance of 64-bit pHashes at or under which two images are near-duplicates (0 = identical hash).</summary>
    public int NearDuplicateDistance { get; init; } = 4;
    /// <summary>
    /// Near-duplicates must also have mean colours within this many levels (largest R/G/B difference): pHash ignores colour and
    /// brightness, so two flat backgrounds with a small blob at the same spot would otherwise pair up.
    /// </summary>
    public double NearDuplicateMaxColourShift { get; init; } = 12;
    /// <summary>
    /// Candidates from the hash are confirmed on their 16×16 luma thumbnails: no cell may differ by more than this (0..255).
    /// pHash alone pairs up unrelated flat images with one blob at a similar place; re-encoded or resized copies differ by a few levels.
    /// </summary>
    public double NearDuplicateMaxThumbnailDifference { get; init; } = 24;
    public int MaxNearDuplicatePairs { get; init; } = 1000;
    /// <summary>Boxes may overhang the image by this many pixels (rounding of normalised coordinates).</summary>
    public double BoxTolerancePx { get; init; } = 1.0;
    /// <summary>Class names; when absent they come from data.yaml <c>names</c>, then classes.txt.</summary>
    public List<string>? Classes { get; init; }
    public long MaxAnnotationBytes { get; init; } = 256L * 1024 * 1024;
    public int MaxJsonDepth { get; init; } = 64;
    public int MaxXmlDepth { get; init; } = 64;
    public int MaxFindingsPerFile { get; init; } = 50;
    /// <summary>Per-rule severity override: rule id → off|info|warning|error.</summary>
    public Dictionary<string, string> Severity { get; init; } = new(StringComparer.Ordinal);
    public List<string> ImageExtensions { get; init; } = [.. Annotations.ImageFiles.Extensions];
    /// <summary>Images decoded at once; 0 = one per core.</summary>
    public int Parallelism { get; init; }

    public static ValidationRules Default { get; } = new();

    private static readonly string[] SeverityNames = ["off", "info", "warning", "error"];
    private static readonly string[] ColourModeNames = ["grayscale", "grayscale_alpha", "rgb", "rgba", "palette", "cmyk"];

    /// <summary>Binds the body of the <c>validation:</c> section (a YAML mapping). Empty text gives the defaults.</summary>
    /// <exception cref="UsageException">Unknown key, wrong type, unknown rule id or severity; the message lists the valid values.</exception>
    public static ValidationRules FromYaml(string yamlSection)
    {
        if (string.IsNullOrWhiteSpace(yamlSection)) return new ValidationRules();
        var deserializer = new DeserializerBuilder().WithNamingConvention(UnderscoredNamingConvention.Instance).Build();
        ValidationRules? rules;
        try
        {
            if (Annotations.GuardedYaml.TooDeep(yamlSection) is { } line)
                throw new UsageException($".obs/config validation section nests deeper than {Annotations.GuardedYaml.MaxDepth} levels (line {line})");
            rules = deserializer.Deserialize<ValidationRules?>(yamlSection);
        }
        catch (YamlException e)
        {
            var valid = string.Join(", ", typeof(ValidationRules).GetProperties().Select(p => UnderscoredNamingConvention.Instance.Apply(p.Name)).Order(StringComparer.Ordinal));
            throw new UsageException($".obs/config validation section (line {e.Start.Line}): {e.InnerException?.Message ?? e.Message}. Valid keys: {valid}", e);
        }
        rules ??= new ValidationRules();
        // colour_modes lists only what the user changes; the other modes keep their default policy.
        var modes = new Dictionary<string, string>(Default.ColourModes, StringComparer.Ordinal);
        foreach (var (mode, severity) in rules.ColourModes) modes[mode] = severity;
        rules = rules with { ColourModes = modes };
        rules.Check();
        return rules;
    }

    /// <summary>Binds the <c>validation:</c> section of a whole <c>.obs/config</c> file; defaults when the section is absent.</summary>
    public static ValidationRules FromConfigYaml(string configYaml)
    {
        if (string.IsNullOrWhiteSpace(configYaml)) return new ValidationRules();
        var stream = new YamlStream();
        try
        {
            if (Annotations.GuardedYaml.TooDeep(configYaml) is { } line)
                throw new UsageException($".obs/config nests deeper than {Annotations.GuardedYaml.MaxDepth} levels (line {line})");
            stream.Load(new StringReader(configYaml));
        }
        catch (YamlException e)
        {
            throw new UsageException($".obs/config is not valid YAML (line {e.Start.Line}): {e.Message}", e);
        }
        if (stream.Documents.Count == 0 || stream.Documents[0].RootNode is not YamlMappingNode root) return new ValidationRules();
        if (!root.Children.TryGetValue(new YamlScalarNode("validation"), out var section) || section is YamlScalarNode) return new ValidationRules();
        var doc = new YamlStream(new YamlDocument(section));
        using var writer = new StringWriter();
        doc.Save(writer, assignAnchors: false);
        return FromYaml(writer.ToString());
    }

    /// <summary>Effective severity of a rule: the override when configured, else the catalogue default.</summary>
    public Severity SeverityOf(string ruleId)
    {
        if (Severity.TryGetValue(ruleId, out var s)) return ParseSeverity(s, ruleId);
        return RuleCatalog.TryGet(ruleId, out var info) ? info.DefaultSeverity : Validation.Severity.Error;
    }

    /// <summary>Severity a colour mode raises (before the per-rule override of image.colour_mode), Off when allowed.</summary>
    public Severity ColourModeSeverity(string mode) =>
        ColourModes.TryGetValue(mode, out var s) ? ParseSeverity(s, $"colour_modes.{mode}") : Validation.Severity.Off;

    /// <summary>Part of the inspection cache key: a change here changes what an inspection contains.</summary>
    public string InspectionFingerprint => $"s{MaxSide}-p{MaxPixels}";

    private void Check()
    {
        foreach (var (rule, sev) in Severity)
        {
            if (!RuleCatalog.TryGet(rule, out _))
                throw new UsageException($".obs/config validation.severity: unknown rule '{rule}'. Valid rules: {string.Join(", ", RuleCatalog.All.Select(r => r.Id))}");
            ParseSeverity(sev, $"severity.{rule}");
        }
        foreach (var (mode, sev) in ColourModes)
        {
            if (!ColourModeNames.Contains(mode))
                throw new UsageException($".obs/config validation.colour_modes: unknown mode '{mode}'. Valid modes: {string.Join(", ", ColourModeNames)}");
            ParseSeverity(sev, $"colour_modes.{mode}");
        }
        if (MinWidth < 0 || MinHeight < 0 || MaxSide <= 0 || MaxPixels <= 0 || MaxImageBytes <= 0 || MaxAnnotationBytes <= 0
            || MaxJsonDepth <= 0 || MaxXmlDepth <= 0 || MaxFindingsPerFile <= 0 || NearDuplicateDistance < 0 || NearDuplicateDistance > 64
            || BoxTolerancePx < 0 || MinPixelVariance < 0 || NearDuplicateMaxColourShift < 0 || NearDuplicateMaxThumbnailDifference < 0 || Parallelism < 0 || MaxNearDuplicatePairs < 0)
            throw new UsageException(".obs/config validation: sizes, counts and thresholds must be >= 0 (max_* > 0, near_duplicate_distance <= 64)");
    }

    private static Severity ParseSeverity(string value, string where) => value.Trim().ToLowerInvariant() switch
    {
        "off" or "none" or "allow" => Validation.Severity.Off,
        "info" => Validation.Severity.Info,
        "warning" or "warn" => Validation.Severity.Warning,
        "error" => Validation.Severity.Error,
        _ => throw new UsageException($".obs/config validation.{where}: '{value}' is not a severity. Valid values: {string.Join(", ", SeverityNames)}"),
    };
}
