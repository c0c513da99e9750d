using Observatory.Monitoring.Contracts;

namespace Observatory.Monitoring.Core.Ports;

/// <summary>
/// Something besides events that may still need kept images (a dataset version, an open export): image retention deletes none
/// that a hold names, however old the events naming it are.
/// </summary>
public interface IImageHolds
{
    /// <summary>What holds the images, for the retention job's result ("dataset versions", "open exports").</summary>
    string Name { get; }

    /// <summary>Those of <paramref name="candidates"/> (SHA-256, lower-case hex) that are held.</summary>
    /// <exception cref="ImageHoldsUnknownException">The holds cannot be read: retention then deletes nothing.</exception>
    Task<IReadOnlySet<string>> HeldAsync(IReadOnlyList<MonitoredModel> models, IReadOnlySet<string> candidates, CancellationToken cancellationToken);
}

/// <summary>Which images are held cannot be told (e.g. a dataset repository cannot be read); the message names what and why.</summary>
public sealed class ImageHoldsUnknownException(string message, Exception? inner = null) : Exception(message, inner);
