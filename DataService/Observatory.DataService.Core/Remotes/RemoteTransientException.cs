using Observatory.DataService.Core.Errors;

namespace Observatory.DataService.Core.Remotes;

/// <summary>
/// A remote failure worth retrying (timeouts, 5xx, connection resets); adapters wrap their own exceptions in it. When the
/// retries are spent it reaches the user as an I/O error (exit 3).
/// </summary>
public sealed class RemoteTransientException(string message, Exception? inner = null) : ObsException(message, inner)
{
    public override int ExitCode => 3;
}
