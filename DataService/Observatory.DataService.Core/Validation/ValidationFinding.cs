using System.Text.Json.Serialization;

namespace Observatory.DataService.Core.Validation;

/// <summary>How bad a finding is. <see cref="Off"/> only appears in configuration, to silence a rule.</summary>
public enum Severity
{
    Off = 0,
    Info = 1,
    Warning = 2,
    Error = 3,
}

/// <summary>
/// One problem found in a dataset. <see cref="Path"/> is relative to the repository root; <see cref="Line"/> is 1-based
/// (YOLO rows, JSON/XML syntax errors); <see cref="AnnotationId"/> names the COCO annotation (<c>42</c>), image
/// (<c>image:3</c>) or category (<c>category:2</c>), or the VOC object (<c>object:1</c>, 1-based).
/// </summary>
public sealed record ValidationFinding(
    [property: JsonPropertyOrder(0)] string Rule,
    [property: JsonPropertyOrder(1)] Severity Severity,
    [property: JsonPropertyOrder(2)] string Path,
    [property: JsonPropertyOrder(5)] string Message,
    [property: JsonPropertyOrder(3)] int? Line = null,
    [property: JsonPropertyOrder(4)] string? AnnotationId = null);
