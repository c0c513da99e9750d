namespace Observatory.Monitoring.Core.Images;

/// <summary>Embeddings of a list of images, in input order, with the statistics computed from the same decode.</summary>
public sealed record ImageEmbeddings(float[][] Vectors, IReadOnlyList<ImageStatistics> Statistics)
{
    public int Count => Vectors.Length;

    /// <summary>Embedding dimension (0 when empty).</summary>
    public int Dimension => Vectors.Length == 0 ? 0 : Vectors[0].Length;
}
