using System.Diagnostics;
using System.Globalization;
using Observatory.Monitoring.Core.Images;
using Observatory.Monitoring.Onnx;
using Observatory.Monitoring.Onnx.Model;
using Observatory.Samples;

namespace Observatory.Bench;

/// <summary>
/// Embedding throughput of the small random encoder ("random") (decode + resize + statistics + inference) over generated sample
/// images, against Pillow decode + resize + normalise of the same files (Python has no OnnxRuntime here, so the peer
/// does strictly less work).
/// </summary>
public sealed class EmbedBenchmark : IBenchmark
{
    public string Name => "embed";
    public string Description => "images/s of the shipped ONNX encoder vs Pillow decode+resize [--count 5000] [--width 640 --height 480] [--intra-op N] [--decode-threads N] [--batch N] [--write-model PATH]";

    public async Task<int> RunAsync(string[] args, CancellationToken cancellationToken)
    {
        int count = 5000, width = 640, height = 480;
        var options = EmbeddingModelOptions.Random;
        for (var i = 0; i + 1 < args.Length; i += 2)
        {
            switch (args[i])
            {
                case "--count": count = int.Parse(args[i + 1], CultureInfo.InvariantCulture); break;
                case "--width": width = int.Parse(args[i + 1], CultureInfo.InvariantCulture); break;
                case "--height": height = int.Parse(args[i + 1], CultureInfo.InvariantCulture); break;
                case "--intra-op": options = options with { IntraOpThreads = int.Parse(args[i + 1], CultureInfo.InvariantCulture) }; break;
                case "--decode-threads": options = options with { DecodeThreads = int.Parse(args[i + 1], CultureInfo.InvariantCulture) }; break;
                case "--batch": options = options with { BatchSize = int.Parse(args[i + 1], CultureInfo.InvariantCulture) }; break;
                case "--write-model":
                    // Refreshes the committed model: dotnet run --project bench/Observatory.Bench -- embed --write-model samples/models/encoder.onnx
                    EncoderModelGenerator.Write(args[i + 1]);
                    Console.WriteLine($"wrote {args[i + 1]} ({new FileInfo(args[i + 1]).Length} bytes)");
                    return 0;
                default: Console.Error.WriteLine($"unknown option {args[i]}"); return 2;
            }
        }

        var dir = Path.Combine(Path.GetTempPath(), $"obs-bench-embed-{width}x{height}-{count}");
        var files = await GenerateAsync(dir, count, width, height, cancellationToken);
        var bytes = files.Sum(f => new FileInfo(f).Length);
        Console.WriteLine($"{count} images {width}x{height} (75% JPEG q90, 25% PNG), {bytes / 1e6:F1} MB in {dir}; {Environment.ProcessorCount} cores");

        using var embedder = new ImageEmbedder(options);
        await embedder.EmbedFilesAsync(files.Take(128).ToArray(), cancellationToken); // warm-up: session, decoders, JIT
        var cpu = Process.GetCurrentProcess().TotalProcessorTime;
        var sw = Stopwatch.StartNew();
        var result = await embedder.EmbedFilesAsync(files, cancellationToken);
        sw.Stop();
        var ourCpuMs = (Process.GetCurrentProcess().TotalProcessorTime - cpu).TotalMilliseconds / count;
        var ours = count / sw.Elapsed.TotalSeconds;
        Console.WriteLine($"Observatory ImageEmbedder (decode+resize+stats+ONNX {embedder.Options.Width}x{embedder.Options.Height}->{result.Dimension}, batch {embedder.Options.BatchSize}, intra-op {embedder.Options.IntraOpThreads}, decode threads {embedder.Options.DecodeThreads}): " +
                          $"{sw.Elapsed.TotalSeconds:F2} s, {ours:F0} images/s, {ourCpuMs:F2} CPU-ms/image");

        var peer = RunPillow(files, embedder.Options.Width, embedder.Options.Height);
        if (peer is null)
        {
            Console.WriteLine("peer: /usr/bin/python3 with Pillow and numpy not available (apt-get install -y python3-pil python3-numpy)");
            return 0;
        }
        Console.WriteLine($"Pillow {peer.Value.Version} (2 processes, open+convert RGB+resize bilinear+normalise, no inference): " +
                          $"{peer.Value.Seconds:F2} s, {count / peer.Value.Seconds:F0} images/s, {peer.Value.CpuMs:F2} CPU-ms/image");
        Console.WriteLine($"ratio Observatory/Pillow: images/s {ours / (count / peer.Value.Seconds):F2}, CPU per image {ourCpuMs / peer.Value.CpuMs:F2} " +
                          $"(load average {File.ReadAllText("/proc/loadavg").Split(' ')[0]}; the machine is shared, compare CPU-ms when it is busy)");
        return 0;
    }

    private static async Task<string[]> GenerateAsync(string dir, int count, int width, int height, CancellationToken ct)
    {
        Directory.CreateDirectory(dir);
        var options = new SampleDatasetOptions { Width = width, Height = height };
        var files = new string[count];
        await Parallel.ForAsync(0, count, ct, (i, token) =>
        {
            var png = i % 4 == 3;
            var path = Path.Combine(dir, $"img_{i:D5}.{(png ? "png" : "jpg")}");
            if (!File.Exists(path)) File.WriteAllBytes(path, SampleDataset.RenderImage(1000 + i, options, out _, png));
            files[i] = path;
            return ValueTask.CompletedTask;
        });
        return files;
    }

    private const string PillowScript = """
        import resource, sys, time
        from multiprocessing import Pool
        import numpy as np
        import PIL
        from PIL import Image
        W, H = int(sys.argv[2]), int(sys.argv[3])
        MEAN = np.array([0.485, 0.456, 0.406], dtype=np.float32); STD = np.array([0.229, 0.224, 0.225], dtype=np.float32)
        def load(p):
            with Image.open(p) as im:
                a = np.asarray(im.convert("RGB").resize((W, H), Image.BILINEAR), dtype=np.float32) / 255.0
            return ((a - MEAN) / STD).transpose(2, 0, 1).mean()
        def children_cpu():
            r = resource.getrusage(resource.RUSAGE_CHILDREN)
            return r.ru_utime + r.ru_stime
        if __name__ == "__main__":
            paths = open(sys.argv[1]).read().split("\n")
            with Pool(2) as pool:
                pool.map(load, paths[:128])
            c0, t = children_cpu(), time.perf_counter()
            pool = Pool(2)
            pool.map(load, paths, chunksize=64)
            pool.close()
            pool.join()
            wall = time.perf_counter() - t
            print(f"{wall} {PIL.__version__} {(children_cpu() - c0) * 1000 / len(paths)}")
        """;

    private static (double Seconds, string Version, double CpuMs)? RunPillow(string[] files, int width, int height)
    {
        if (!File.Exists("/usr/bin/python3")) return null;
        var script = Path.Combine(Path.GetTempPath(), "obs-bench-pillow.py");
        var list = Path.Combine(Path.GetTempPath(), "obs-bench-pillow.txt");
        File.WriteAllText(script, PillowScript);
        File.WriteAllText(list, string.Join('\n', files));
        var psi = new ProcessStartInfo("/usr/bin/python3") { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var a in new[] { script, list, width.ToString(CultureInfo.InvariantCulture), height.ToString(CultureInfo.InvariantCulture) }) psi.ArgumentList.Add(a);
        using var process = Process.Start(psi)!;
        var output = process.StandardOutput.ReadToEnd();
        var error = process.StandardError.ReadToEnd();
        process.WaitForExit();
        if (process.ExitCode != 0)
        {
            Console.Error.WriteLine(error.Trim());
            return null;
        }
        var parts = output.Trim().Split(' ');
        return (double.Parse(parts[0], CultureInfo.InvariantCulture), parts[1], double.Parse(parts[2], CultureInfo.InvariantCulture));
    }
}
