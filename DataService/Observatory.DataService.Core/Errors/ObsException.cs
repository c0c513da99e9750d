namespace Observatory.DataService.Core.Errors;

/// <summary>Root of every error the data half reports to a person; the leaf type fixes the CLI exit code.</summary>
public abstract class ObsException(string message, Exception? inner = null) : Exception(message, inner)
{
    /// <summary>Process exit code: 1 data failed a check, 2 usage, 3 I/O, git or remote.</summary>
    public abstract int ExitCode { get; }
}

/// <summary>The data failed a check (validation errors, a corrupt object, a hash mismatch).</summary>
public sealed class DataCheckException(string message, Exception? inner = null) : ObsException(message, inner)
{
    public override int ExitCode => 1;
}

/// <summary>The command was called wrongly: bad arguments, a path outside the workspace, not a git work tree.</summary>
public sealed class UsageException(string message, Exception? inner = null) : ObsException(message, inner)
{
    public override int ExitCode => 2;
}

/// <summary>I/O, git, lock or remote failure.</summary>
public sealed class StoreException(string message, Exception? inner = null) : ObsException(message, inner)
{
    public override int ExitCode => 3;
}

/// <summary>A dataset version was refused because validation found errors; carries the report to show.</summary>
public sealed class ValidationFailedException(string message, string reportText) : ObsException(message)
{
    public string ReportText { get; } = reportText;
    public override int ExitCode => 1;
}
