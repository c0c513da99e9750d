using System.Diagnostics;
using System.Globalization;
using Microsoft.ML.OnnxRuntime;
using Observatory.Monitoring.Onnx;
using Observatory.Monitoring.Onnx.Model;
using Observatory.Samples;

namespace Observatory.Bench;

/// <summary>
/// Throughput of the pretrained ResNet18 encoder end to end (read + decode + centre crop + resize + statistics + inference, the
/// next batch decoded while the current one runs) against bare ONNX Runtime inference of the same composed model on tensors
/// decoded beforehand, with the same batch size and threads: how much of the model's own speed the pipeline keeps.
/// </summary>
public sealed class PretrainedEmbedBenchmark : IBenchmark
{
    public string Name => "embed-resnet";
    public string Description => "images/s of ResNet18 decode+resize+inference vs bare ONNX Runtime on pre-decoded tensors [--count 512] [--width 640 --height 480] [--batch 16] [--intra-op 0]";

    public async Task<int> RunAsync(string[] args, CancellationToken cancellationToken)
    {
        int count = 512, width = 640, height = 480;
        var options = EmbeddingModelOptions.ResNet18;
        for (var i = 0; i + 1 < args.Length; i += 2)
        {
            var value = int.Parse(args[i + 1], CultureInfo.InvariantCulture);
            switch (args[i])
            {
                case "--count": count = value; break;
                case "--width": width = value; break;
                case "--height": height = value; break;
                case "--batch": options = options with { BatchSize = value }; break;
                case "--intra-op": options = options with { IntraOpThreads = value }; break;
                default: Console.Error.WriteLine($"unknown option {args[i]}"); return 2;
            }
        }

        var dir = Path.Combine(Path.GetTempPath(), $"obs-bench-resnet-{width}x{height}-{count}");
        Directory.CreateDirectory(dir);
        var sample = new SampleDatasetOptions { Width = width, Height = height };
        var files = Enumerable.Range(0, count).Select(i => Path.Combine(dir, $"img_{i:D5}.jpg")).ToArray();
        Parallel.For(0, count, i => { if (!File.Exists(files[i])) File.WriteAllBytes(files[i], SampleDataset.RenderImage(2000 + i, sample, out _)); });
        Console.WriteLine($"{count} JPEG images {width}x{height}; {Environment.ProcessorCount} cores; batch {options.BatchSize}, intra-op threads {options.IntraOpThreads} (0 = one per core)");

        // Bare ONNX Runtime: the same composed model and session settings (spinning off, as ImageEmbedder sets), inputs already in memory.
        var model = ResNet18Encoder.Load();
        var random = new Random(1);
        var input = new float[options.BatchSize * 3 * 224 * 224];
        for (var i = 0; i < input.Length; i++) input[i] = random.Next(256);
        double Bare(bool spinning)
        {
            using var sessionOptions = new SessionOptions
            {
                IntraOpNumThreads = options.IntraOpThreads,
                InterOpNumThreads = 1,
                ExecutionMode = ExecutionMode.ORT_SEQUENTIAL,
                GraphOptimizationLevel = GraphOptimizationLevel.ORT_ENABLE_ALL,
            };
            sessionOptions.AddSessionConfigEntry("session.intra_op.allow_spinning", spinning ? "1" : "0");
            using var session = new InferenceSession(model, sessionOptions);
            using var run = new RunOptions();
            void Batch(int n)
            {
                using var tensor = OrtValue.CreateTensorValueFromMemory(input.AsMemory(0, n * 3 * 224 * 224).ToArray(), [n, 3, 224, 224]);
                using var outputs = session.Run(run, [ResNet18Encoder.InputName], [tensor], [ResNet18Encoder.OutputName]);
            }
            Batch(options.BatchSize); // warm-up
            var watch = Stopwatch.StartNew();
            for (var done = 0; done < count; done += options.BatchSize) Batch(Math.Min(options.BatchSize, count - done));
            return count / watch.Elapsed.TotalSeconds;
        }
        var bareSpinning = Bare(spinning: true);
        var bare = Bare(spinning: false);
        Console.WriteLine($"bare ONNX Runtime (pre-decoded [N,3,224,224] tensors): {bare:F1} images/s with spinning off as Observatory runs it, {bareSpinning:F1} with spinning on");
        var sw = new Stopwatch();

        using var embedder = new ImageEmbedder(options);
        await embedder.EmbedFilesAsync(files.Take(options.BatchSize).ToArray(), cancellationToken); // warm-up
        sw.Restart();
        var result = await embedder.EmbedFilesAsync(files, cancellationToken);
        var ours = count / sw.Elapsed.TotalSeconds;
        Console.WriteLine($"Observatory ImageEmbedder (read+decode+crop+resize+stats+inference -> {result.Dimension}): {sw.Elapsed.TotalSeconds:F2} s, {ours:F1} images/s");
        Console.WriteLine($"ratio Observatory/bare ONNX Runtime: {ours / bare:P0} (goal ≥ 70 %; load average {File.ReadAllText("/proc/loadavg").Split(' ')[0]})");
        return 0;
    }
}
