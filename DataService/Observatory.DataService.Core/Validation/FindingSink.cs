using System.Collections.Concurrent;
using System.Globalization;

namespace Observatory.DataService.Core.Validation;

/// <summary>
/// Collects the findings of one file: applies the configured severity (dropping rules set to off) and keeps at most
/// max_findings_per_file, so a garbage file of a million lines yields a bounded report.
/// </summary>
/// <remarks>
/// A sink handed out by <see cref="FindingSinks.For"/> is a throw-away handle: the file's list is made, and registered, only when
/// its first finding arrives. A clean dataset of 100,000 images and 100,000 labels therefore holds no per-file object; when every
/// file got a sink and a path string up front, those were about 40 MB of the validating add's peak.
/// </remarks>
internal sealed class FindingSink
{
    private readonly ValidationRules _rules;
    private readonly FindingSinks? _owner;
    private readonly string _path;
    private FileFindings? _file;

    /// <summary>A sink of its own, for one file or for the dataset as a whole; read it back with <see cref="DrainTo"/>.</summary>
    public FindingSink(ValidationRules rules, string repoPath)
    {
        _rules = rules;
        _path = repoPath;
    }

    internal FindingSink(ValidationRules rules, FindingSinks owner, string relativePath)
    {
        _rules = rules;
        _owner = owner;
        _path = relativePath;
    }

    public void Add(string rule, string message, int? line = null, string? annotationId = null) =>
        Add(rule, _rules.SeverityOf(rule), message, line, annotationId);

    /// <summary>Adds with a severity computed by the caller (colour-mode policy); a per-rule override still wins.</summary>
    public void Add(string rule, Severity severity, string message, int? line = null, string? annotationId = null)
    {
        if (_rules.Severity.ContainsKey(rule)) severity = _rules.SeverityOf(rule);
        if (severity == Severity.Off) return;
        var file = _file ??= _owner is null ? new FileFindings(_rules, _path) : _owner.Open(_path);
        file.Add(rule, severity, message, line, annotationId);
    }

    /// <summary>Findings of a sink of its own (one made with a repository path).</summary>
    public void DrainTo(ICollection<ValidationFinding> target) => _file?.DrainTo(target);
}

/// <summary>The per-file findings of one validation, keyed by the path relative to the dataset; thread-safe.</summary>
internal sealed class FindingSinks(ValidationRules rules, string prefix)
{
    private readonly ConcurrentDictionary<string, FileFindings> _files = new(StringComparer.Ordinal);

    /// <summary>A handle for <paramref name="relativePath"/>; costs nothing until a finding is added.</summary>
    public FindingSink For(string relativePath) => new(rules, this, relativePath);

    internal FileFindings Open(string relativePath) => _files.GetOrAdd(relativePath, p => new FileFindings(rules, prefix + p));

    public void DrainTo(ICollection<ValidationFinding> target)
    {
        foreach (var file in _files.Values) file.DrainTo(target);
    }
}

/// <summary>One file's findings, capped at max_findings_per_file; the checks of one file may run on several threads.</summary>
internal sealed class FileFindings(ValidationRules rules, string repoPath)
{
    private readonly List<ValidationFinding> _findings = [];
    private int _dropped;

    public void Add(string rule, Severity severity, string message, int? line, string? annotationId)
    {
        lock (_findings)
        {
            if (_findings.Count >= rules.MaxFindingsPerFile) { _dropped++; return; }
            _findings.Add(new ValidationFinding(rule, severity, repoPath, message, line, annotationId));
        }
    }

    public void DrainTo(ICollection<ValidationFinding> target)
    {
        foreach (var f in _findings) target.Add(f);
        if (_dropped > 0 && rules.SeverityOf(RuleIds.FindingsTruncated) != Severity.Off)
            target.Add(new ValidationFinding(RuleIds.FindingsTruncated, rules.SeverityOf(RuleIds.FindingsTruncated), repoPath,
                string.Create(CultureInfo.InvariantCulture, $"{_dropped} more findings in this file not listed (max_findings_per_file = {rules.MaxFindingsPerFile})")));
    }
}
