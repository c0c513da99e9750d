namespace Observatory.Monitoring.Core.Ports;

/// <summary>
/// The encoder each monitored model's images are embedded with, uploads and reference alike: the service's own (Monitoring:Encoder),
/// a built-in by name (<c>resnet18</c>, <c>random</c>), or the user's model as a version of a tracked folder in a registry
/// (<c>models/food-detector@v3</c>: its one ONNX file and model.yaml, read from the repository's object cache).
/// </summary>
public interface IModelEncoders
{
    /// <summary>
    /// The encoder <paramref name="embeddingModel"/> names, loaded and checked (null or empty: the service's own). A registry model
    /// version is resolved in <paramref name="repoPath"/>, which the caller has checked against the reference roots.
    /// </summary>
    /// <exception cref="EncoderUnavailableException">The name, the model version or the model file cannot be used; the message says why.</exception>
    Task<IImageEmbedder> GetAsync(string? embeddingModel, string? repoPath, CancellationToken cancellationToken);

    /// <summary>True when <paramref name="embeddingModel"/> is a registry model version (<c>PATH@REV</c>) rather than a built-in name.</summary>
    static bool IsModelVersion(string embeddingModel) => embeddingModel.Contains('@', StringComparison.Ordinal) || embeddingModel.Contains('/', StringComparison.Ordinal);
}

public static class ModelEncodersExtensions
{
    /// <summary>
    /// The encoder of <paramref name="model"/>: its <c>embeddingModel</c> (a client-embedding model's images, if any, go through the
    /// service's own), a registry model version being read from the repository of its reference, else of its training data.
    /// </summary>
    /// <exception cref="EncoderUnavailableException">Also when the name now gives another model than at registration.</exception>
    public static async Task<IImageEmbedder> ForModelAsync(this IModelEncoders encoders, Observatory.Monitoring.Contracts.MonitoredModel model, CancellationToken cancellationToken)
    {
        var encoder = await encoders.GetAsync(model.EmbeddingModel == Observatory.Monitoring.Contracts.MonitoredModel.ClientEmbeddings ? null : model.EmbeddingModel,
            RegistryOf(model), cancellationToken);
        if (model.EmbeddingModelKey is { } pinned && encoder.CacheKey != pinned)
            throw new EncoderUnavailableException($"'{model.EmbeddingModel}' now names another model (or preprocessing) than when '{model.Name}' was registered; " +
                                                  "register the model again (with a new version) to monitor with it");
        return encoder;
    }

    /// <summary>The repository a model's registry model version is read from: its reference's, else its training data's.</summary>
    public static string? RegistryOf(Observatory.Monitoring.Contracts.MonitoredModel model) => model.Reference?.RepoPath ?? model.TrainedOn?.RepoPath;
}

/// <summary>A named encoder cannot be loaded: unknown name, missing model version, not ONNX, wrong input or output shape.</summary>
public sealed class EncoderUnavailableException(string message, Exception? inner = null) : Exception(message, inner);
