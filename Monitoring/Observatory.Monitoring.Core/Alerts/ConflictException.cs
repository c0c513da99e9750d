namespace Observatory.Monitoring.Core.Alerts;

/// <summary>
/// The request conflicts with the current state (acknowledging a resolved alert). An <see cref="InvalidOperationException"/>
/// so callers that caught the old type still do; hosts answer it with 409.
/// </summary>
public sealed class ConflictException(string message) : InvalidOperationException(message);
