using System.Globalization;

namespace Observatory.DataService.Core.Validation;

/// <summary>
/// Collects the findings of one file: applies the configured severity (dropping rules set to off) and keeps at most
/// max_findings_per_file, so a garbage file of a million lines yields a bounded report.
/// </summary>
internal sealed class FindingSink(ValidationRules rules, string repoPath)
{
    private readonly List<ValidationFinding> _findings = [];
    private int _dropped;

    public string RepoPath { get; } = repoPath;

    public void Add(string rule, string message, int? line = null, string? annotationId = null) =>
        Add(rule, rules.SeverityOf(rule), message, line, annotationId);

    /// <summary>Adds with a severity computed by the caller (colour-mode policy); a per-rule override still wins.</summary>
    public void Add(string rule, Severity severity, string message, int? line = null, string? annotationId = null)
    {
        if (rules.Severity.ContainsKey(rule)) severity = rules.SeverityOf(rule);
        if (severity == Severity.Off) return;
        if (_findings.Count >= rules.MaxFindingsPerFile) { _dropped++; return; }
        _findings.Add(new ValidationFinding(rule, severity, RepoPath, message, line, annotationId));
    }

    public void DrainTo(ICollection<ValidationFinding> target)
    {
        foreach (var f in _findings) target.Add(f);
        if (_dropped > 0 && rules.SeverityOf(RuleIds.FindingsTruncated) != Severity.Off)
            target.Add(new ValidationFinding(RuleIds.FindingsTruncated, rules.SeverityOf(RuleIds.FindingsTruncated), RepoPath,
                string.Create(CultureInfo.InvariantCulture, $"{_dropped} more findings in this file not listed (max_findings_per_file = {rules.MaxFindingsPerFile})")));
    }
}
