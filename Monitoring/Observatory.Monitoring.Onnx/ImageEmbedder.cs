using System.Security.Cryptography;
using System.Text;
using Microsoft.ML.OnnxRuntime;
using Observatory.Monitoring.Core.Ports;
using Observatory.Monitoring.Onnx.Model;

namespace Observatory.Monitoring.Onnx;

/// <summary>
/// Embeds images with an ONNX model: decodes them in parallel (SkiaSharp), resizes and normalises them as the
/// options say, and runs the model in batches on one reused <see cref="InferenceSession"/>. The next batch is decoded
/// while the current one runs. Thread-safe: concurrent calls share the session.
/// </summary>
public sealed class ImageEmbedder : IImageEmbedder, IDisposable
{
    private readonly InferenceSession session;
    private readonly RunOptions runOptions = new();
    private readonly float[][] tables;
    private readonly int batchSize;
    private readonly int perImage;
    private string inputName = "", outputName = "";

    private readonly DecodeMemoryGate decodeMemory;

    /// <param name="limits">What one image may cost to decode; null = <see cref="ImageDecodeLimits.Default"/> (never unbounded).</param>
    public ImageEmbedder(EmbeddingModelOptions? options = null, ImageDecodeLimits? limits = null)
    {
        Options = options ?? EmbeddingModelOptions.Default;
        Options.Validate();
        Limits = limits ?? ImageDecodeLimits.Default;
        Limits.Validate();
        decodeMemory = new DecodeMemoryGate(Limits.DecodeMemoryBytes);
        var model = Options.LoadModel();
        ModelSha256 = Convert.ToHexStringLower(SHA256.HashData(model));

        using var sessionOptions = new SessionOptions
        {
            IntraOpNumThreads = Options.IntraOpThreads,
            InterOpNumThreads = 1,
            ExecutionMode = ExecutionMode.ORT_SEQUENTIAL,
            GraphOptimizationLevel = GraphOptimizationLevel.ORT_ENABLE_ALL,
        };
        // Idle OnnxRuntime workers would otherwise spin on the cores the decoders need between batches.
        sessionOptions.AddSessionConfigEntry("session.intra_op.allow_spinning", "0");
        try
        {
            session = new InferenceSession(model, sessionOptions);
        }
        catch (OnnxRuntimeException e)
        {
            throw new InvalidDataException($"embedding model {Options.DisplayName} could not be loaded: {e.Message}", e);
        }
        try
        {
            batchSize = CheckSignature();
        }
        catch
        {
            session.Dispose();
            throw;
        }
        CacheKey = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(ModelSha256 + "\n" + Options.PreprocessingFingerprint())));
        perImage = 3 * Options.Width * Options.Height;
        tables = ImageDecoder.NormalisationTables(Options);
    }

    /// <summary>The options in use: as given, with a size of 0 (a model file's "from the model") replaced by the model's input size.</summary>
    public EmbeddingModelOptions Options { get; private set; }

    public string Name => Options.Name;

    public ImageDecodeLimits Limits { get; }

    /// <summary>SHA-256 (hex) of the model file's bytes.</summary>
    public string ModelSha256 { get; }

    /// <summary>SHA-256 (hex) of the model bytes and every preprocessing setting: equal keys give equal embeddings.</summary>
    public string CacheKey { get; }

    /// <summary>Embedding dimension when the model declares it statically, otherwise null (known after a run).</summary>
    public int? Dimension { get; private set; }

    /// <summary>Embeds the files at <paramref name="paths"/>, in order (what <c>obs embed</c> calls on a dataset version's files).</summary>
    public Task<ImageEmbeddings> EmbedFilesAsync(IReadOnlyList<string> paths, CancellationToken cancellationToken) =>
        EmbedAsync(paths.Select(ImageSource.FromFile).ToArray(), cancellationToken);

    /// <summary>Embeds <paramref name="images"/>; vectors and statistics come back in input order.</summary>
    /// <exception cref="ImageDecodeException">An image could not be decoded; the exception names it.</exception>
    public async Task<ImageEmbeddings> EmbedAsync(IReadOnlyList<ImageSource> images, CancellationToken cancellationToken)
    {
        var vectors = new float[images.Count][];
        var statistics = new ImageStatistics[images.Count];
        if (images.Count == 0) return new ImageEmbeddings(vectors, statistics);

        using var prepareCts = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var next = Task.Run(() => PrepareAsync(images, 0, statistics, prepareCts.Token), prepareCts.Token);
        try
        {
            for (var start = 0; start < images.Count; start += batchSize)
            {
                var input = await next.ConfigureAwait(false);
                var count = Math.Min(batchSize, images.Count - start);
                if (start + count < images.Count)
                {
                    var nextStart = start + count;
                    next = Task.Run(() => PrepareAsync(images, nextStart, statistics, prepareCts.Token), prepareCts.Token);
                }
                cancellationToken.ThrowIfCancellationRequested();
                Run(input, count, vectors, start);
            }
        }
        catch
        {
            // Do not leave a decode batch running (or its exception unobserved) behind a failure.
            await prepareCts.CancelAsync().ConfigureAwait(false);
            await ((Task)next).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
            throw;
        }
        return new ImageEmbeddings(vectors, statistics);
    }

    private async Task<float[]> PrepareAsync(IReadOnlyList<ImageSource> images, int start, ImageStatistics[] statistics, CancellationToken ct)
    {
        var count = Math.Min(batchSize, images.Count - start);
        var buffer = new float[count * perImage];
        var parallel = new ParallelOptions
        {
            MaxDegreeOfParallelism = Options.DecodeThreads > 0 ? Options.DecodeThreads : Environment.ProcessorCount,
            CancellationToken = ct,
        };
        await Parallel.ForAsync(0, count, parallel, async (k, token) =>
        {
            var source = images[start + k];
            var bytes = await source.ReadAsync(Limits.MaxEncodedBytes, token).ConfigureAwait(false);
            statistics[start + k] = ImageDecoder.Decode(bytes, source.Name, Options, tables, buffer.AsSpan(k * perImage, perImage),
                Limits, decodeMemory, token);
        }).ConfigureAwait(false);
        return buffer;
    }

    private void Run(float[] input, int count, float[][] vectors, int start)
    {
        long[] shape = Options.Layout == TensorLayout.Nchw
            ? [count, 3, Options.Height, Options.Width]
            : [count, Options.Height, Options.Width, 3];
        using var tensor = OrtValue.CreateTensorValueFromMemory(input, shape);
        using var outputs = session.Run(runOptions, [inputName], [tensor], [outputName]);
        var data = outputs[0].GetTensorDataAsSpan<float>();
        if (data.Length % count != 0 || data.Length == 0)
            throw new InvalidDataException($"model output '{outputName}' has {data.Length} values for {count} images; expected [batch, dimension]");
        var dim = data.Length / count;
        Dimension ??= dim;
        for (var i = 0; i < count; i++) vectors[start + i] = data.Slice(i * dim, dim).ToArray();
    }

    /// <summary>Checks the options against the model's declared input/output; returns the usable batch size.</summary>
    private int CheckSignature()
    {
        var model = Options.DisplayName;
        inputName = Resolve(Options.InputName, session.InputMetadata.Keys, "input", "InputName");
        outputName = Resolve(Options.OutputName, session.OutputMetadata.Keys, "output", "OutputName");
        var input = session.InputMetadata[inputName];
        var output = session.OutputMetadata[outputName];
        if (input.ElementType != typeof(float))
            throw new ArgumentException($"embedding model {model} input '{inputName}' is {input.ElementType.Name}; only float32 image inputs are supported");
        var dims = input.Dimensions;
        if (dims.Length != 4) throw new ArgumentException($"embedding model {model} input '{inputName}' has rank {dims.Length}; an image input has rank 4");
        if (Options.Width == 0 || Options.Height == 0)
        {
            var (h, w) = Options.Layout == TensorLayout.Nchw ? (dims[2], dims[3]) : (dims[1], dims[2]);
            if (h <= 0 || w <= 0)
                throw new ArgumentException($"embedding model {model} input '{inputName}' has no fixed size ([{string.Join(",", dims)}]); set Width and Height");
            Options = Options with { Width = Options.Width == 0 ? w : Options.Width, Height = Options.Height == 0 ? h : Options.Height };
        }
        int[] expected = Options.Layout == TensorLayout.Nchw ? [-1, 3, Options.Height, Options.Width] : [-1, Options.Height, Options.Width, 3];
        for (var d = 1; d < 4; d++)
        {
            if (dims[d] > 0 && dims[d] != expected[d])
                throw new ArgumentException(
                    $"embedding model {model} input '{inputName}' has shape [{string.Join(",", dims)}] but the options give " +
                    $"{Options.Layout} {Options.Width}x{Options.Height}x3; set Width, Height and Layout to match the model");
        }
        var outDims = output.Dimensions;
        // One vector per image: [N, D], or [N, D, 1, 1] as pooled CNN features come; [N, C, H, W] maps are not embeddings.
        if (outDims.Length < 2 || outDims.Skip(2).Any(d => d != 1))
            throw new ArgumentException($"embedding model {model} output '{outputName}' has shape [{string.Join(",", outDims)}]; an embedding output is one vector per image, [N, D] (or [N, D, 1, 1])");
        if (outDims.Length >= 2 && outDims.Skip(1).All(d => d > 0)) Dimension = outDims.Skip(1).Aggregate(1, (a, b) => a * b);
        return dims[0] > 0 ? Math.Min(dims[0], Options.BatchSize) : Options.BatchSize;
    }

    private string Resolve(string wanted, IEnumerable<string> names, string what, string field)
    {
        var all = names.ToList();
        if (wanted == EmbeddingModelOptions.OnlyOne)
        {
            if (all.Count == 1) return all[0];
            throw new ArgumentException($"embedding model {Options.DisplayName} has {all.Count} {what}s ({string.Join(", ", all)}); set {field} to the one to use");
        }
        if (!all.Contains(wanted))
            throw new ArgumentException($"embedding model {Options.DisplayName} has no {what} '{wanted}'; its {what}s are: {string.Join(", ", all)}");
        return wanted;
    }

    public void Dispose()
    {
        session.Dispose();
        runOptions.Dispose();
    }
}
