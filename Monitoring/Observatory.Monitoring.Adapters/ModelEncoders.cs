using System.Collections.Concurrent;
using Microsoft.ML.OnnxRuntime;
using Observatory.DataService.Core.Errors;
using Observatory.DataService.Core.Workspace;
using Observatory.DataService.Storage;
using Observatory.Monitoring.Core.Images;
using Observatory.Monitoring.Core.Ports;
using Observatory.Monitoring.Onnx;
using Observatory.Monitoring.Onnx.Model;

namespace Observatory.Monitoring.Adapters;

/// <summary>
/// <see cref="IModelEncoders"/> over Monitoring.Onnx: the service's own encoder, the built-ins, and registry model versions resolved
/// the way <c>obs embed --model-rev</c> resolves them (DataService's TrackedModels + ModelYaml), so the service and the CLI embed a
/// dataset version identically with the same model version. Each encoder is loaded once and kept (keyed by the ONNX file's hash
/// and the preprocessing), and runs one embedding at a time.
/// </summary>
internal sealed class ModelEncoders(IImageEmbedder serviceEncoder, ImageDecodeLimits limits, TimeProvider time) : IModelEncoders, IDisposable
{
    private readonly ConcurrentDictionary<string, Lazy<IImageEmbedder>> loaded = new(StringComparer.Ordinal);

    public async Task<IImageEmbedder> GetAsync(string? embeddingModel, string? repoPath, CancellationToken cancellationToken)
    {
        if (string.IsNullOrWhiteSpace(embeddingModel) || string.Equals(embeddingModel, serviceEncoder.Name, StringComparison.OrdinalIgnoreCase))
            return serviceEncoder;
        if (EmbeddingModelOptions.BuiltIn(embeddingModel) is { } builtIn)
            return Load("built-in:" + builtIn.Encoder, builtIn, expectedSha256: null);
        if (!IModelEncoders.IsModelVersion(embeddingModel))
            throw new EncoderUnavailableException($"'{embeddingModel}' is neither a built-in encoder ({string.Join(", ", EmbeddingModelOptions.BuiltInEncoders)}), " +
                                                  $"the service's own ('{serviceEncoder.Name}'), nor a registry model version PATH@REV (e.g. models/food-detector@v3)");
        if (string.IsNullOrWhiteSpace(repoPath))
            throw new EncoderUnavailableException($"model version '{embeddingModel}' is read from the model's registry: give the model a reference or trainedOn dataset version in that repository");

        TrackedModelFiles files;
        ModelDescription description;
        try
        {
            using var repo = ObsRepository.Open(repoPath, ObsEnvironments.Create(time));
            // PATH is the repository's, not the service's working folder's (the CLI resolves it from where it runs).
            var version = ModelRevision.Parse(embeddingModel);
            if (Path.IsPathRooted(version.Path))
                throw new EncoderUnavailableException($"model version '{embeddingModel}' must name its folder relative to the repository");
            files = await TrackedModels.ResolveAsync(repo, version with { Path = Path.Combine(repo.Root, version.Path) }, cancellationToken);
            var where = (files.ModelYamlFile ?? files.OnnxFile) + (files.Revision is null ? "" : $" at {files.Revision}");
            description = ModelYaml.Describe(files.OnnxPath, files.ModelYaml, where);
        }
        catch (Exception ex) when (ex is ObsException or ModelYamlException or IOException or UnauthorizedAccessException)
        {
            throw new EncoderUnavailableException($"model version '{embeddingModel}' of {repoPath}: {ex.Message}", ex);
        }
        // The ONNX file and the model.yaml decide the embeddings: both are in the key.
        var yamlHash = files.ModelYaml is null ? "none" : Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(files.ModelYaml));
        var key = $"file:{files.OnnxHash.Hex}:{yamlHash}";
        return Load(key, description.Options, files.OnnxHash.Hex, embeddingModel);
    }

    private IImageEmbedder Load(string key, EmbeddingModelOptions options, string? expectedSha256, string? name = null)
    {
        var lazy = loaded.GetOrAdd(key, _ => new Lazy<IImageEmbedder>(() =>
        {
            var embedder = new ImageEmbedder(options, limits);
            // The cache object must still be the file its hash names: a damaged object is refused, never loaded as a model.
            if (expectedSha256 is not null && !string.Equals(embedder.ModelSha256, expectedSha256, StringComparison.Ordinal))
            {
                embedder.Dispose();
                throw new EncoderUnavailableException($"model '{name}' is corrupt in the repository's cache (its content does not match its hash {expectedSha256[..12]}…); run 'obs fetch' again");
            }
            return new OneAtATimeEmbedder(new NamedEmbedder(embedder, name ?? embedder.Name));
        }));
        try
        {
            return lazy.Value;
        }
        catch (Exception ex) when (ex is ArgumentException or InvalidDataException or FileNotFoundException or OnnxRuntimeException or EncoderUnavailableException)
        {
            // Not kept: a model fixed in the registry (a new fetch) loads on the next call.
            loaded.TryRemove(new KeyValuePair<string, Lazy<IImageEmbedder>>(key, lazy));
            throw ex as EncoderUnavailableException ?? new EncoderUnavailableException($"model '{name ?? options.DisplayName}' cannot be used: {ex.Message}", ex);
        }
    }

    public void Dispose()
    {
        foreach (var lazy in loaded.Values)
            if (lazy.IsValueCreated && lazy.Value is IDisposable d) d.Dispose();
    }

    /// <summary>An encoder called by the name the model registered it with (the model version), not its cache path.</summary>
    private sealed class NamedEmbedder(ImageEmbedder inner, string name) : IImageEmbedder, IDisposable
    {
        public string Name => name;
        public string CacheKey => inner.CacheKey;
        public int? Dimension => inner.Dimension;
        public Task<ImageEmbeddings> EmbedAsync(IReadOnlyList<ImageSource> images, CancellationToken cancellationToken) => inner.EmbedAsync(images, cancellationToken);
        public void Dispose() => inner.Dispose();
    }
}
