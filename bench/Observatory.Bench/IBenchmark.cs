namespace Observatory.Bench;

/// <summary>A side-by-side benchmark: runs Observatory and a peer tool on the same data and prints both figures and the ratio.</summary>
public interface IBenchmark
{
    string Name { get; }
    string Description { get; }
    Task<int> RunAsync(string[] args, CancellationToken cancellationToken);
}
