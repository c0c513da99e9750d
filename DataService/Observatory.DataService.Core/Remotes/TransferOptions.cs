namespace Observatory.DataService.Core.Remotes;

/// <summary>What push, fetch and pull move, and how.</summary>
public sealed record TransferOptions
{
    /// <summary>Concurrent transfers when <see cref="Jobs"/> is not set: 4 × cores, at least 8 (requests mostly wait on the network).</summary>
    public static int DefaultJobs => Math.Max(8, Environment.ProcessorCount * 4);

    /// <summary>Git revision whose pointers select the objects; null = the workspace pointers.</summary>
    public string? Revision { get; init; }
    /// <summary>Datasets or sub-folders (partial pull); empty = every dataset.</summary>
    public IReadOnlyList<string> Paths { get; init; } = [];
    /// <summary>Concurrent transfers; null = <see cref="DefaultJobs"/>.</summary>
    public int? Jobs { get; init; }
    /// <summary>How small objects are bundled (from the remote's pack_max_object / pack_size).</summary>
    public PackingOptions Packing { get; init; } = new();

    internal ParallelOptions Parallel(CancellationToken ct) => new() { MaxDegreeOfParallelism = Jobs ?? DefaultJobs, CancellationToken = ct };
}
