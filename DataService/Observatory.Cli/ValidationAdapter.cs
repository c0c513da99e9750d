using Observatory.DataService.Core.Validation;
using Observatory.DataService.Imaging;

namespace Observatory.Cli;

/// <summary>The validator `add`, `commit` and `validate` run: the Core rules over SkiaSharp image inspection.</summary>
internal static class ValidationAdapter
{
    public static DatasetValidation Create() => new(new SkiaImageInspector());
}
