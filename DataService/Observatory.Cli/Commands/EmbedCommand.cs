using System.CommandLine;
using Observatory.DataService.Core.Annotations;
using Observatory.DataService.Core.Errors;
using Observatory.DataService.Core.Validation;
using Observatory.DataService.Core.Store;
using Observatory.DataService.Core.Workspace;
using Observatory.Monitoring.Core.Drift;
using Observatory.Monitoring.Core.IO;
using Observatory.Monitoring.Core.Images;
using Observatory.Monitoring.Onnx;
using Observatory.Monitoring.Onnx.Caching;
using Observatory.Monitoring.Onnx.Model;

namespace Observatory.Cli.Commands;

/// <summary>
/// `obs embed`: embeds the images of a dataset version, read straight from the cache (no checkout), with the shipped encoder
/// or a user's ONNX model — a file (--model) or a tracked model folder at a revision (--model-rev, its .onnx also read from the
/// cache); results are cached per (tree hash, model + preprocessing), so a second run costs a file copy.
/// </summary>
internal static class EmbedCommand
{

    public static Command Create()
    {
        var path = new Argument<string>("path") { Description = "Dataset (or a folder inside one) whose images to embed" };
        var rev = CommonOptions.Rev();
        var model = new Option<string?>("--model", "-m") { Description = "Built-in encoder (resnet18, the default; random, the small untrained one) or an ONNX file" };
        var modelRev = new Option<string?>("--model-rev")
        {
            Description = "A tracked model folder (obs add) at a revision: PATH@REV, where REV is vN (version N of that folder), HEAD, a commit, "
                + "or a version name (models/tiny@tiny@v3); PATH alone reads the workspace's pointer. The folder holds one .onnx and an optional model.yaml",
        };
        var output = new Option<string>("--output", "-o") { Description = "Embeddings .npy to write (float32, N×D)", Required = true };
        var stats = new Option<string?>("--stats") { Description = "Also write the image statistics .npy (float64, N×7: brightness, contrast, sharpness, saturation, width, height, aspect_ratio)" };
        var json = CommonOptions.Json();
        var command = new Command("embed", "Embed the images of a dataset version with an ONNX model (cached per tree and model)") { path, rev, model, modelRev, output, stats, json };
        CommandAction.Set(command, async (parse, ct) =>
        {
            using var repo = CliEnvironment.OpenRepository();
            var selection = Datasets.Select(repo, Datasets.At(repo, parse.GetValue(rev)), [parse.GetValue(path)!]).Single();
            var (dataset, subPath) = selection;
            var tree = await Datasets.LoadTreeAsync(repo, dataset, ct);
            var images = ImageFiles.ToEmbed(tree, subPath); // the same selection and order as the service's reference job
            if (images.Count == 0) throw new UsageException($"'{parse.GetValue(path)}' has no images at {parse.GetValue(rev) ?? "the workspace"}");
            var missing = images.FirstOrDefault(e => !repo.Cache.Contains(e.Hash));
            if (missing is not null)
                throw new StoreException($"object {missing.Hash.Hex} ({dataset.DatasetPath}/{missing.Path}) is not in the cache; run 'obs fetch {parse.GetValue(path)}' first");

            if (parse.GetValue(model) is not null && parse.GetValue(modelRev) is not null)
                throw new UsageException("give --model or --model-rev, not both");
            var tracked = parse.GetValue(modelRev) is { } modelRevText ? await TrackedModelAsync(repo, modelRevText, ct) : null;
            var modelOptions = tracked?.Description.Options ?? ModelOptions(parse.GetValue(model));
            // The repository's own size limits (validation: max_side, max_pixels, max_image_bytes) bound every decode.
            var rules = repo.Config.ValidationYaml is null ? ValidationRules.Default : ValidationRules.FromYaml(repo.Config.ValidationYaml);
            using var embedder = CreateEmbedder(modelOptions, tracked?.DisplayName ?? modelOptions.DisplayName,
                new ImageDecodeLimits { MaxSide = rules.MaxSide, MaxPixels = rules.MaxPixels, MaxEncodedBytes = rules.MaxImageBytes });
            // The cache object is used in place: a damaged one would embed garbage under the model's name.
            if (tracked is not null && embedder.ModelSha256 != tracked.Files.OnnxHash.Hex)
                throw new DataCheckException($"object {tracked.Files.OnnxHash.Hex} ({tracked.Files.OnnxFile}) is corrupt in the cache (content does not match its hash)");
            // The selection is part of the key: a sub-folder embeds a different list than its dataset.
            var key = subPath is null ? dataset.Pointer.Tree.Hex : Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(dataset.Pointer.Tree.Hex + "/" + subPath)));
            var cache = new EmbeddingCache(EmbeddingCache.RepositoryFolder(repo.ObsDir));
            var cached = await cache.TryGetAsync(key, embedder.CacheKey, ct) is not null;
            var result = await CliProgress.RunAsync(async progress =>
            {
                progress.Begin($"embedding {images.Count} images of {dataset.DatasetPath}", images.Count);
                try
                {
                    return await cache.GetOrCreateAsync(key, embedder.CacheKey, c => embedder.EmbedFilesAsync(images.Select(e => repo.Cache.PathOf(e.Hash)).ToList(), c), ct);
                }
                catch (ImageDecodeException ex)
                {
                    throw new DataCheckException($"cannot decode an image of {dataset.DatasetPath}: {ex.Message}");
                }
                finally
                {
                    progress.Advance(images.Count);
                    progress.End();
                }
            }, parse.GetValue(json));

            var outPath = parse.GetValue(output)!;
            var data = new double[result.Count * result.Dimension];
            for (var i = 0; i < result.Count; i++)
                for (var j = 0; j < result.Dimension; j++) data[i * result.Dimension + j] = result.Vectors[i][j];
            await WriteNpyAsync(outPath, new DataMatrix(result.Count, result.Dimension, data), float32: true, ct);
            if (parse.GetValue(stats) is { } statsPath)
            {
                var features = result.Statistics.Select(s => s.ToFeatures()).ToArray();
                var cols = ImageStatistics.FeatureNames.Count;
                await WriteNpyAsync(statsPath, new DataMatrix(features.Length, cols, features.SelectMany(f => f).ToArray()), float32: false, ct);
            }
            if (parse.GetValue(json))
            {
                CliEnvironment.WriteJson(new
                {
                    dataset = dataset.DatasetPath,
                    tree = dataset.Pointer.Tree.Hex,
                    images = result.Count,
                    dimension = result.Dimension,
                    model = tracked?.Files.OnnxFile ?? embedder.Name,
                    model_sha256 = embedder.ModelSha256,
                    model_rev = tracked?.Files.Revision,
                    classes = tracked?.Description.Classes,
                    cached,
                    output = outPath,
                    stats = parse.GetValue(stats),
                    paths = images.Select(e => dataset.DatasetPath + "/" + e.Path),
                });
            }
            else
            {
                Console.Out.WriteLine($"embedded {result.Count} images of {dataset.DatasetPath} ({dataset.Pointer.Tree.Short}) → {outPath}: {result.Count}×{result.Dimension} float32{(tracked is null ? "" : $" with {tracked.DisplayName}")}{(cached ? " (from cache)" : "")}");
            }
            return ExitCodes.Ok;
        });
        return command;
    }

    /// <summary>A built-in encoder by name, else an ONNX file with the usual conventions of exported image models.</summary>
    private static EmbeddingModelOptions ModelOptions(string? model)
    {
        if (model is null) return EmbeddingModelOptions.Default;
        if (EmbeddingModelOptions.BuiltIn(model) is { } builtIn) return builtIn;
        if (!File.Exists(model))
            throw new UsageException($"model '{model}' is neither a built-in encoder ({string.Join(", ", EmbeddingModelOptions.BuiltInEncoders)}) nor an existing ONNX file");
        return EmbeddingModelOptions.ForModelFile(model);
    }

    /// <summary>A tracked model folder at a revision: its .onnx read from the cache in place, with its model.yaml's options.</summary>
    private static async Task<TrackedModel> TrackedModelAsync(ObsRepository repo, string text, CancellationToken ct)
    {
        var files = await TrackedModels.ResolveAsync(repo, ModelRevision.Parse(text), ct);
        try
        {
            var where = files.ModelYamlFile + (files.Revision is null ? "" : $" at {files.Revision}");
            return new TrackedModel(files, ModelYaml.Describe(files.OnnxPath, files.ModelYaml, where),
                $"'{files.OnnxFile}'{(files.Revision is null ? "" : $" at {files.Revision}")}");
        }
        catch (ModelYamlException ex)
        {
            throw new UsageException(ex.Message, ex);
        }
    }

    private sealed record TrackedModel(TrackedModelFiles Files, ModelDescription Description, string DisplayName);

    private static ImageEmbedder CreateEmbedder(EmbeddingModelOptions options, string displayName, ImageDecodeLimits limits)
    {
        try
        {
            return new ImageEmbedder(options, limits);
        }
        catch (Exception ex) when (ex is ArgumentException or InvalidOperationException or InvalidDataException or FileNotFoundException or Microsoft.ML.OnnxRuntime.OnnxRuntimeException)
        {
            throw new UsageException($"model {displayName} cannot be used: {ex.Message}");
        }
    }

    /// <summary>Serialises in memory, then writes atomically; the temp file lives beside the output so the rename stays on one file system.</summary>
    private static async Task WriteNpyAsync(string path, DataMatrix matrix, bool float32, CancellationToken ct)
    {
        var full = Path.GetFullPath(path);
        using var buffer = new MemoryStream();
        NpyWriter.Write(buffer, matrix, float32);
        await AtomicFile.WriteAllBytesAsync(full, buffer.GetBuffer().AsMemory(0, (int)buffer.Length), Path.GetDirectoryName(full)!, ct);
    }
}
