namespace Observatory.DataService.Core.Ports;

/// <summary>Progress of long work (hashing, copying, transfers); the CLI draws it on stderr. Implementations are thread-safe.</summary>
public interface IOperationProgress
{
    /// <summary>Starts a phase with a known number of units (files or bytes).</summary>
    void Begin(string label, long total, bool unitsAreBytes = false);

    void Advance(long units);

    void End();
}

public sealed class NullProgress : IOperationProgress
{
    public static readonly NullProgress Instance = new();
    public void Begin(string label, long total, bool unitsAreBytes = false) { }
    public void Advance(long units) { }
    public void End() { }
}
