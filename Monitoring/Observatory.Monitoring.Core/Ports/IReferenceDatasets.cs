using Observatory.Monitoring.Contracts;

namespace Observatory.Monitoring.Core.Ports;

/// <summary>
/// What the service needs from the data half: the images of a dataset version (git repository + pointer + revision),
/// embedded with the host's <see cref="IImageEmbedder"/>. The adapter (Monitoring.Adapters' <c>DatasetReferences</c>) reads
/// them through DataService's library, straight from the content-addressed cache, and keeps the embeddings per tree + encoder.
/// </summary>
public interface IReferenceDatasets
{
    /// <summary>Why the service may not open <paramref name="reference"/>'s repository (outside the allowed roots), or null.</summary>
    string? Refuse(ReferenceDataset reference);

    /// <summary>
    /// The embeddings of the version's images (selected and ordered as <c>obs embed</c> does), computed once per tree + encoder.
    /// </summary>
    /// <param name="nameFiles">Also name the file behind each vector (<see cref="ReferenceEmbeddings.Items"/>); only the outliers view
    /// needs them, and on cached embeddings they cost a read of the tree.</param>
    /// <exception cref="ReferenceUnavailableException">The repository, pointer, revision or its objects cannot be read.</exception>
    Task<ReferenceEmbeddings> GetEmbeddingsAsync(ReferenceDataset reference, bool nameFiles, CancellationToken cancellationToken);

    /// <summary>As the other overload, embedded with <paramref name="encoder"/> (a model's own encoder, see <see cref="IModelEncoders"/>).</summary>
    Task<ReferenceEmbeddings> GetEmbeddingsAsync(ReferenceDataset reference, IImageEmbedder encoder, bool nameFiles, CancellationToken cancellationToken);
}

/// <summary>
/// The reference embeddings of a dataset version and the encoder that made them. <paramref name="Items"/> names the file behind each
/// vector (same order), or is null when it was not asked for or the tree could not be read (embeddings cached, tree never pulled).
/// </summary>
public sealed record ReferenceEmbeddings(string TreeHash, string EncoderKey, float[][] Vectors, double[][] ImageFeatures,
    IReadOnlyList<ReferenceItem>? Items = null)
{
    public int Count => Vectors.Length;
}

/// <summary>One embedded file of a reference dataset version: its path inside the dataset and its content hash.</summary>
public sealed record ReferenceItem(string Path, string Sha256);

/// <summary>A reference dataset version cannot be read or embedded; the message names the repository, pointer and revision.</summary>
public sealed class ReferenceUnavailableException(string message, Exception? inner = null) : Exception(message, inner);
