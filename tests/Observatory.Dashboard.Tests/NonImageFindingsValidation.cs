using System.Text.Json;
using Observatory.DataService.Core.Objects;
using Observatory.DataService.Core.Ports;

namespace Observatory.Dashboard.Tests;

/// <summary>
/// A validator whose findings are about files the browser cannot show as images: the annotation file (with a message longer than
/// any grid column), a text file, and an image file whose bytes are not an image. Writes the validation JSON shape.
/// </summary>
public sealed class NonImageFindingsValidation : IDatasetValidation
{
    public const string LongMessage =
        "images[3].file_name 'IMG_0004.jpg' names no file of the dataset: every entry of 'images' must name an image tracked in this " +
        "version (checked 4 entries, 1 missing, 0 duplicated); fix the entry or add the file, then run obs add and obs commit again so " +
        "the report and the annotations agree — the end of this message is what a cut-short cell would lose.";
    public const string TextMessage = "README.txt is not referenced by any annotation";
    public const string BrokenMessage = "image cannot be decoded: the bytes are not a PNG stream";

    public Task<ValidationOutcome> ValidateAsync(string datasetDirectory, string datasetPath, TreeObject tree, string? rulesYaml, string cacheDirectory, IOperationProgress progress, CancellationToken ct)
    {
        var findings = new List<Dictionary<string, object>>
        {
            Finding("coco.image_reference", "error", $"{datasetPath}/annotations.json", LongMessage),
            Finding("files.unreferenced", "warning", $"{datasetPath}/README.txt", TextMessage),
            Finding("image.decodable", "error", $"{datasetPath}/images/broken.png", BrokenMessage),
        };
        var report = new Dictionary<string, object>
        {
            ["dataset"] = datasetPath,
            ["files"] = tree.Entries.Count,
            ["summary"] = new Dictionary<string, object>
            {
                ["errors"] = 2, ["warnings"] = 1,
                ["by_rule"] = new Dictionary<string, int> { ["coco.image_reference"] = 1, ["files.unreferenced"] = 1, ["image.decodable"] = 1 },
            },
            ["findings"] = findings,
        };
        return Task.FromResult(new ValidationOutcome(2, 1, JsonSerializer.SerializeToUtf8Bytes(report), "2 error(s), 1 warning(s)"));
    }

    private static Dictionary<string, object> Finding(string rule, string severity, string path, string message) =>
        new() { ["rule"] = rule, ["severity"] = severity, ["path"] = path, ["message"] = message };
}
