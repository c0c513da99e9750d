using Observatory.DataService.Core.Objects;
using Observatory.DataService.Core.Ports;

namespace Observatory.DataService.Core.Validation;

/// <summary>The validation gate of `add` and `commit`: rules from <c>.obs/config</c>, results cached by content hash.</summary>
public sealed class DatasetValidation(IImageInspector inspector) : IDatasetValidation
{
    private readonly DatasetValidator _validator = new(inspector);

    public async Task<ValidationOutcome> ValidateAsync(string datasetDirectory, string datasetPath, TreeObject tree, string? rulesYaml, string cacheDirectory,
        IOperationProgress progress, CancellationToken ct)
    {
        var report = await ValidateReportAsync(datasetDirectory, datasetPath, tree.Entries, rulesYaml, cacheDirectory, progress, ct);
        return new ValidationOutcome(report.Summary.Errors, report.Summary.Warnings, ValidationJson.SerializeToUtf8Bytes(report), ValidationReportFormatter.Format(report));
    }

    public async Task<ValidationReport> ValidateReportAsync(string datasetDirectory, string datasetPath, IReadOnlyList<TreeEntry> files, string? rulesYaml,
        string cacheDirectory, IOperationProgress progress, CancellationToken ct)
    {
        var rules = rulesYaml is null ? ValidationRules.Default : ValidationRules.FromYaml(rulesYaml);
        var images = files.Count;
        progress.Begin($"validating {datasetPath}", images);
        var last = 0;
        var reporter = new Progress<int>(n => { var delta = n - Interlocked.Exchange(ref last, n); if (delta > 0) progress.Advance(delta); });
        try
        {
            return await _validator.ValidateAsync(datasetDirectory, datasetPath, files, rules, new FileValidationCache(cacheDirectory), reporter, ct);
        }
        finally
        {
            progress.End();
        }
    }
}
