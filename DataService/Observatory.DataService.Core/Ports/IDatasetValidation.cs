using Observatory.DataService.Core.Objects;

namespace Observatory.DataService.Core.Ports;

/// <summary>What validating one dataset version produced: counts, the full report (JSON, stored as an object) and its text form.</summary>
public sealed record ValidationOutcome(int Errors, int Warnings, byte[] ReportJson, string ReportText);

/// <summary>Validates the files of a dataset folder against the rules in <c>.obs/config</c>; the gate of `add` and `commit`.</summary>
public interface IDatasetValidation
{
    /// <param name="datasetDirectory">Absolute folder holding the files.</param>
    /// <param name="datasetPath">The folder relative to the repo root, for messages and report paths.</param>
    /// <param name="tree">The files with their already known hashes.</param>
    /// <param name="rulesYaml">The raw <c>validation:</c> section of the config, or null for defaults.</param>
    /// <param name="cacheDirectory">Where per-content-hash results may be cached.</param>
    Task<ValidationOutcome> ValidateAsync(string datasetDirectory, string datasetPath, TreeObject tree, string? rulesYaml, string cacheDirectory, IOperationProgress progress, CancellationToken ct);
}
