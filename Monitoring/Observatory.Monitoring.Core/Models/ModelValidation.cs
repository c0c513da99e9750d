using Observatory.Monitoring.Core.Events;
using Observatory.Monitoring.Contracts;
using Observatory.Monitoring.Core.Drift;

namespace Observatory.Monitoring.Core.Models;

/// <summary>Checks a model definition; each problem names the field.</summary>
public static class ModelValidation
{
    public const int MaxNameLength = 100;

    public static IReadOnlyList<FieldError> Validate(MonitoredModel model)
    {
        var errors = new List<FieldError>();
        if (string.IsNullOrWhiteSpace(model.Name) || model.Name.Length > MaxNameLength || !model.Name.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.'))
            errors.Add(new("name", $"must be 1-{MaxNameLength} characters of letters, digits, '-', '_' or '.'"));
        if (model.Classes is null || model.Classes.Count == 0)
            errors.Add(new("classes", "at least one class is required"));
        else
        {
            for (var i = 0; i < model.Classes.Count; i++)
                if (string.IsNullOrWhiteSpace(model.Classes[i])) errors.Add(new($"classes[{i}]", "class names must not be empty"));
            if (model.Classes.Distinct(StringComparer.Ordinal).Count() != model.Classes.Count)
                errors.Add(new("classes", "class names must be unique"));
        }
        if (model.EmbeddingDimension is < 0 or > 65_536)
            errors.Add(new("embeddingDimension", "must be between 0 (no embeddings) and 65536"));
        if (model.BaselineAccuracy is { } b && (double.IsNaN(b) || b < 0 || b > 1))
            errors.Add(new("baselineAccuracy", "must be between 0 and 1"));
        if (model.ImageRetentionDays is < 1 or > MonitoredModel.MaxImageRetentionDays)
            errors.Add(new("imageRetentionDays", $"must be between 1 and {MonitoredModel.MaxImageRetentionDays} days, or left out to keep the model's images for good"));
        if (model.Window <= TimeSpan.Zero)
            errors.Add(new("window", "must be positive"));
        if (string.IsNullOrWhiteSpace(model.Schedule))
            errors.Add(new("schedule", "a cron expression is required"));
        for (var i = 0; i < model.DriftMethods.Count; i++)
            if (!DriftMethodNames.Numeric.Contains(model.DriftMethods[i]))
                errors.Add(new($"driftMethods[{i}]", $"unknown method '{model.DriftMethods[i]}'; valid: {string.Join(", ", DriftMethodNames.Numeric)}"));
        if (model.Reference is { } r)
        {
            if (string.IsNullOrWhiteSpace(r.RepoPath)) errors.Add(new("reference.repoPath", "is required"));
            if (string.IsNullOrWhiteSpace(r.PointerPath)) errors.Add(new("reference.pointerPath", "is required"));
            if (string.IsNullOrWhiteSpace(r.Revision)) errors.Add(new("reference.revision", "is required"));
        }
        var ids = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < model.AlertRules.Count; i++)
        {
            var rule = model.AlertRules[i];
            if (string.IsNullOrWhiteSpace(rule.Id) || !ids.Add(rule.Id)) errors.Add(new($"alertRules[{i}].id", "must be non-empty and unique"));
            if (rule.ConsecutiveWindows < 1) errors.Add(new($"alertRules[{i}].consecutiveWindows", "must be at least 1"));
            if (rule.QuietWindowsToResolve is < 1 or > 100) errors.Add(new($"alertRules[{i}].quietWindowsToResolve", "must be between 1 and 100"));
            if (rule.MinLabelled < 1) errors.Add(new($"alertRules[{i}].minLabelled", "must be at least 1"));
            if (rule.Kind == AlertRuleKind.ErrorRateAbove && rule.Threshold is not (>= 0 and <= 1))
                errors.Add(new($"alertRules[{i}].threshold", "errorRateAbove needs the error rate it fires above, between 0 and 1"));
            if (rule.Kind == AlertRuleKind.LatencyP95Above && rule.Threshold is not (> 0 and < EventValidation.MaxLatencyMs))
                errors.Add(new($"alertRules[{i}].threshold", "latencyP95Above needs the p95 latency it fires above, in milliseconds (> 0)"));
            if (!Enum.IsDefined(rule.Kind)) errors.Add(new($"alertRules[{i}].kind", $"must be one of: {string.Join(", ", Enum.GetNames<AlertRuleKind>().Select(n => char.ToLowerInvariant(n[0]) + n[1..]))}"));
        }
        foreach (var (name, value) in model.ClassBaselines ?? new Dictionary<string, double>())
        {
            if (model.ClassIndex(name) < 0) errors.Add(new($"classBaselines.{name}", $"'{name}' is not one of the model's classes"));
            if (!double.IsFinite(value) || value is < 0 or > 1) errors.Add(new($"classBaselines.{name}", "must be a recall between 0 and 1"));
        }
        return errors;
    }
}

/// <summary>One invalid field of a request: a JSON-path-like location ("events[3].embedding") and what is wrong.</summary>
public sealed record FieldError(string Field, string Message)
{
    public override string ToString() => $"{Field}: {Message}";
}
