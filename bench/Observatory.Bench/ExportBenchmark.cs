using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text.Json;
using Observatory.Monitoring.Contracts;
using Observatory.Samples;
using Observatory.Testing;

namespace Observatory.Bench;

/// <summary>
/// From production back to training data, end to end: N distinct images uploaded to the Monitoring service (separate process)
/// whose image store is a folder or S3 (s3rver), the drift job run, then the real `obs import-window --select random --count N`
/// (so every image of the window is exported) into a fresh git repo, timed as a user runs it. Also timed alone: the export POST
/// (the service's selection and manifest) and the obs run. Peers on the same N images: `cp` (+ `sha256sum`) out of the store
/// folder, or bare GETs of the manifest's presigned URLs at obs' parallelism (4) into a folder.
/// Args: [--store folder|s3] [--images 2000] [--width 640] [--height 480] [--repeats 3]
/// </summary>
public sealed class ExportBenchmark : IBenchmark
{
    private const string Model = "bench";
    private const int Batch = 100;
    private const int Parallelism = 4; // obs import-window's download parallelism

    public string Name => "export";
    public string Description => "export of 2,000 images from a window, end to end (obs import-window), against the folder store and S3";

    public async Task<int> RunAsync(string[] args, CancellationToken ct)
    {
        var storeKind = Arg(args, "--store", "folder");
        if (storeKind is not ("folder" or "s3")) { Console.Error.WriteLine("--store must be folder or s3"); return 2; }
        var n = int.Parse(Arg(args, "--images", "2000"), CultureInfo.InvariantCulture);
        var width = int.Parse(Arg(args, "--width", "640"), CultureInfo.InvariantCulture);
        var height = int.Parse(Arg(args, "--height", "480"), CultureInfo.InvariantCulture);
        var repeats = int.Parse(Arg(args, "--repeats", "3"), CultureInfo.InvariantCulture);
        if (storeKind == "s3" && !File.Exists(S3ServerFixture.S3rverScript)) { Console.Error.WriteLine("s3rver missing: run bash scripts/setup-test-deps.sh"); return 2; }

        var work = Directory.CreateTempSubdirectory("obs-bench-export-").FullName;
        S3ServerFixture? s3 = null;
        try
        {
            var imageFolder = Path.Combine(work, "image-store");
            var settings = new Dictionary<string, string>
            {
                ["ConnectionStrings:Monitoring"] = $"Data Source={Path.Combine(work, "monitoring.db")}",
                ["Monitoring:MaxExportItems"] = Math.Max(5000, n).ToString(CultureInfo.InvariantCulture),
            };
            if (storeKind == "s3")
            {
                s3 = new S3ServerFixture();
                await s3.StartAsync();
                settings["Monitoring:ImageStore:Url"] = $"s3://{S3ServerFixture.Bucket}/images";
                settings["Monitoring:ImageStore:Endpoint"] = s3.Endpoint;
                settings["Monitoring:ImageStore:UseSsl"] = "false";
                settings["Monitoring:ImageStore:AccessKey"] = S3ServerFixture.AccessKey;
                settings["Monitoring:ImageStore:SecretKey"] = S3ServerFixture.SecretKey;
            }
            else settings["Monitoring:ImageStore:Url"] = imageFolder;

            await using var host = await MonitoringBenchHost.StartAsync(settings, ct);
            var service = host.Client.BaseAddress!.ToString().TrimEnd('/');
            Console.WriteLine($"export benchmark: {n:N0} images of {width}x{height} (JPEG) in the {(storeKind == "s3" ? "S3 (s3rver on loopback)" : "folder")} image store, " +
                              $"{Environment.ProcessorCount} cores (service, {(s3 is null ? "" : "S3 server, ")}obs and peers share them)");

            // Setup, not timed: the model, N distinct images inside the current window, the drift job, the window's end.
            var now = DateTimeOffset.UtcNow;
            using (var r = await host.Client.PutAsJsonAsync($"/api/models/{Model}", new
            {
                classes = new[] { "circle", "square", "triangle" }, embeddingModel = "random", window = "01:00:00", schedule = "0 0 0 1 1 ? 2099",
                referenceUntil = now.AddHours(-2),
            }, ct))
                if (!r.IsSuccessStatusCode) throw new InvalidOperationException($"register: HTTP {(int)r.StatusCode} {await r.Content.ReadAsStringAsync(ct)}");
            var options = new SampleDatasetOptions { Width = width, Height = height };
            var hashes = new HashSet<string>(StringComparer.Ordinal);
            long totalBytes = 0;
            var setup = Stopwatch.StartNew();
            for (var start = 0; start < n; start += Batch)
            {
                var count = Math.Min(Batch, n - start);
                var images = Enumerable.Range(start, count).Select(i => SampleDataset.RenderImage(10_000 + i, options, out _)).ToArray();
                foreach (var image in images)
                {
                    if (!hashes.Add(Convert.ToHexStringLower(SHA256.HashData(image)))) throw new InvalidOperationException("two rendered images are identical; the export would have fewer than N files");
                    totalBytes += image.Length;
                }
                var events = Enumerable.Range(start, count).Select(i => new
                {
                    id = $"cam/{i}",
                    timestamp = now.AddMinutes(-40).AddMilliseconds(i * 1000.0 * 30 * 60 / n), // spread over 30 minutes of the window
                    predictedClass = i % 3 == 0 ? "circle" : i % 3 == 1 ? "square" : "triangle",
                    confidence = 0.5 + i % 50 / 100.0,
                });
                using var form = new MultipartFormDataContent { { JsonContent.Create(new { events }, options: MonitoringJson.Options), "events" } };
                for (var k = 0; k < count; k++) form.Add(new ByteArrayContent(images[k]), "image", $"{start + k}.jpg");
                using var up = await host.Client.PostAsync($"/api/models/{Model}/images", form, ct);
                if (!up.IsSuccessStatusCode) throw new InvalidOperationException($"upload: HTTP {(int)up.StatusCode} {await up.Content.ReadAsStringAsync(ct)}");
            }
            using (var run = await host.Client.PostAsync($"/api/models/{Model}/jobs/drift/run?wait=true", null, ct))
                if (!run.IsSuccessStatusCode) throw new InvalidOperationException($"drift run: HTTP {(int)run.StatusCode} {await run.Content.ReadAsStringAsync(ct)}");
            var drift = (await host.Client.GetFromJsonAsync<List<DriftWindowResult>>($"/api/models/{Model}/drift?limit=1", MonitoringJson.Options, ct))!;
            var windowEnd = drift.Single().WindowEnd;
            var windowText = windowEnd.ToString("O", CultureInfo.InvariantCulture);
            Console.WriteLine($"setup (not timed): {n:N0} images, {BenchProcess.Mb(totalBytes)}, uploaded and drift job run in {setup.Elapsed.TotalSeconds:0.0} s; window ends {windowText}");

            // Each round in fresh folders and repos; the machine is shared, so the medians of the rounds are reported.
            var times = new Dictionary<string, List<TimeSpan>>(StringComparer.Ordinal);
            void Record(string key, TimeSpan t) { if (!times.TryGetValue(key, out var l)) times[key] = l = []; l.Add(t); }
            long obsPeak = 0;
            for (var round = 0; round < repeats; round++)
            {
                // The export POST alone (selection, reading the N images for size and format, the manifest), then closed again
                // so obs below makes it afresh as a user's first run does.
                var exportSw = Stopwatch.StartNew();
                ExportManifest manifest;
                using (var post = await host.Client.PostAsJsonAsync($"/api/models/{Model}/exports", new { windowEnd, select = "random", count = n }, MonitoringJson.Options, ct))
                {
                    manifest = (await post.Content.ReadFromJsonAsync<ExportManifest>(MonitoringJson.Options, ct))!;
                    Record("post", exportSw.Elapsed);
                    if (!post.IsSuccessStatusCode || manifest.Items.Count != n)
                        throw new InvalidOperationException($"export POST: HTTP {(int)post.StatusCode}, {manifest.Items.Count} items (want {n})");
                }
                if (!manifest.Items.Select(i => i.Sha256).ToHashSet().SetEquals(hashes)) throw new InvalidOperationException("the export does not hold the uploaded images");
                await DeleteExportAsync(host.Client, manifest.Id, ct);

                // Timed end to end: obs import-window as a user runs it (process start, the export POST, downloads, hash checks,
                // YOLO labels, validation, tracking) in a fresh repo after `obs init`.
                var repo = await FreshRepoAsync(Path.Combine(work, $"repo{round}"), ct);
                await SettleAsync(work, s3, ct);
                var obs = await BenchProcess.RunAsync("dotnet",
                    [Path.Combine(AppContext.BaseDirectory, "obs.dll"), "import-window", service, Model, "--window", windowText, "--select", "random", "--count", n.ToString(CultureInfo.InvariantCulture), "data/window", "-q"],
                    repo, ct, new Dictionary<string, string> { ["OBS_MONITORING_API_KEY"] = MonitoringBenchHost.ApiKey, ["DOTNET_NOLOGO"] = "1" });
                BenchProcess.EnsureOk(obs, "obs import-window");
                Record("obs", obs.Elapsed);
                obsPeak = Math.Max(obsPeak, obs.PeakRssBytes);
                var written = Directory.GetFiles(Path.Combine(repo, "data", "window", "images"));
                if (written.Length != n) throw new InvalidOperationException($"obs import-window wrote {written.Length} images, want {n}");
                if (!File.Exists(Path.Combine(repo, "data", "window.obs"))) throw new InvalidOperationException("obs import-window did not track the folder");

                // Where obs' time goes: `obs add` of the very folder it wrote, in another fresh repo, is its validation and
                // tracking without the export and the downloads.
                var repo2 = await FreshRepoAsync(Path.Combine(work, $"add{round}"), ct);
                BenchProcess.EnsureOk(await BenchProcess.ShellAsync($"mkdir data && cp -r {Path.Combine(repo, "data", "window")} data/window && sync", repo2, ct), "cp -r");
                var add = await BenchProcess.ObsAsync(repo2, ct, "add", "data/window", "-q");
                BenchProcess.EnsureOk(add, "obs add");
                Record("add", add.Elapsed);

                // Peers on the same N images, into fresh folders.
                await SettleAsync(work, s3, ct);
                if (s3 is null)
                {
                    var list = Path.Combine(work, "files.txt");
                    await File.WriteAllLinesAsync(list, manifest.Items.Select(i => Path.Combine(imageFolder, "objects", i.Sha256[..2], i.Sha256[2..])), ct);
                    var copy = Directory.CreateDirectory(Path.Combine(work, $"cp-out{round}")).FullName;
                    var cp = await BenchProcess.ShellAsync($"xargs -a {list} -d '\\n' cp -t {copy}", work, ct);
                    BenchProcess.EnsureOk(cp, "cp");
                    if (Directory.GetFiles(copy).Length != n) throw new InvalidOperationException("cp did not copy N files");
                    var sum = await BenchProcess.ShellAsync($"find {copy} -type f -print0 | xargs -0 sha256sum > /dev/null", work, ct);
                    BenchProcess.EnsureOk(sum, "sha256sum");
                    Record("peer", cp.Elapsed);
                    Record("peer2", cp.Elapsed + sum.Elapsed);
                    // Not a peer but where obs' time goes: the same N images through the service's image path (what obs
                    // downloads from a folder store), bare GETs at obs' parallelism into a folder.
                    var viaService = Directory.CreateDirectory(Path.Combine(work, $"service-out{round}")).FullName;
                    var sw = Stopwatch.StartNew();
                    await GetAllAsync(host.Client, manifest.Items, viaService, ct);
                    Record("service", sw.Elapsed);
                }
                else
                {
                    // Presigned URLs of the export obs made (a GET of the manifest signs fresh ones), then bare GETs at obs'
                    // parallelism into a folder.
                    var exportId = (await host.Client.GetFromJsonAsync<List<JsonElement>>($"/api/models/{Model}/exports", MonitoringJson.Options, ct))!.Single().GetProperty("id").GetString()!;
                    var signed = (await host.Client.GetFromJsonAsync<ExportManifest>($"/api/models/{Model}/exports/{Uri.EscapeDataString(exportId)}", MonitoringJson.Options, ct))!;
                    var down = Directory.CreateDirectory(Path.Combine(work, $"http-out{round}")).FullName;
                    using var http = new HttpClient(new SocketsHttpHandler { MaxConnectionsPerServer = Parallelism });
                    var sw = Stopwatch.StartNew();
                    await GetAllAsync(http, signed.Items, down, ct);
                    Record("peer", sw.Elapsed);
                }
                // obs' export closed, so the next round's POST makes it again.
                foreach (var e in (await host.Client.GetFromJsonAsync<List<JsonElement>>($"/api/models/{Model}/exports", MonitoringJson.Options, ct))!)
                    await DeleteExportAsync(host.Client, e.GetProperty("id").GetString()!, ct);
            }

            TimeSpan Median(string key) => times[key].Order().ElementAt(times[key].Count / 2);
            string All(string key) => string.Join(" / ", times[key].Select(t => t.TotalSeconds.ToString("0.00", CultureInfo.InvariantCulture)));
            double Rate(TimeSpan t) => n / t.TotalSeconds;
            double Mbps(TimeSpan t) => totalBytes / 1048576.0 / t.TotalSeconds;
            Console.WriteLine();
            Console.WriteLine($"median of {repeats} round(s); each round in fresh folders and repos");
            Console.WriteLine($"{"what",-112} {"s",7} {"images/s",9} {"MB/s",7}   rounds (s)");
            void Row(string what, string key) => Console.WriteLine($"{what,-112} {Median(key).TotalSeconds,7:0.00} {Rate(Median(key)),9:N0} {Mbps(Median(key)),7:0.0}   {All(key)}");
            Row("obs import-window end to end (process start, export POST, download, hash check, labels, validation, tracking)", "obs");
            Row("  the export POST alone (service: selection, reading the N images, manifest; timed before obs, then closed)", "post");
            Row("  for comparison: obs add of that folder in a fresh repo (validation + tracking; no export, no download)", "add");
            if (s3 is null)
            {
                Row("peer: cp of the N store files into a fresh folder (no hashing, no labels, no validation)", "peer");
                Row("peer: cp, then sha256sum over the copies", "peer2");
                Row($"  (where obs' time goes: bare GETs of the service's image path, {Parallelism} at a time, into a folder)", "service");
            }
            else Row($"peer: HttpClient GETs of the presigned URLs, {Parallelism} at a time, into a folder (no hashing, no labels, no validation)", "peer");
            Console.WriteLine($"obs peak RSS {BenchProcess.Mb(obsPeak)}; obs end to end / peer: {Median("obs") / Median("peer"):0.0}x the time");
            return 0;
        }
        finally
        {
            if (s3 is not null) await s3.DisposeAsync();
            try { Directory.Delete(work, true); } catch (IOException) { } catch (UnauthorizedAccessException) { }
        }
    }

    /// <summary>
    /// The same start for every timed run: dirty pages written out (the uploads just wrote the store), and the store's files read
    /// once so each tool reads them warm from the page cache rather than the first paying for the disk.
    /// </summary>
    private static async Task SettleAsync(string work, S3ServerFixture? s3, CancellationToken ct)
    {
        var store = s3?.DataDirectory ?? Path.Combine(work, "image-store");
        await BenchProcess.ShellAsync($"sync; find {store} -type f -exec cat {{}} + > /dev/null", work, ct);
    }

    private static async Task<string> FreshRepoAsync(string repo, CancellationToken ct)
    {
        Directory.CreateDirectory(repo);
        BenchProcess.EnsureOk(await BenchProcess.ShellAsync("git init -q . && git config user.email b@b && git config user.name b", repo, ct), "git init");
        BenchProcess.EnsureOk(await BenchProcess.ObsAsync(repo, ct, "init"), "obs init");
        return repo;
    }

    /// <summary>Bare GETs of the items' URLs (absolute, or relative to the client's service) at obs' parallelism, each to a file.</summary>
    private static Task GetAllAsync(HttpClient http, IEnumerable<ExportItem> items, string folder, CancellationToken ct) =>
        Parallel.ForEachAsync(items, new ParallelOptions { MaxDegreeOfParallelism = Parallelism, CancellationToken = ct }, async (item, token) =>
        {
            using var r = await http.GetAsync(item.ImageUrl, HttpCompletionOption.ResponseHeadersRead, token);
            r.EnsureSuccessStatusCode();
            await using var file = File.Create(Path.Combine(folder, item.FileName));
            await r.Content.CopyToAsync(file, token);
        });

    private static async Task DeleteExportAsync(HttpClient client, string id, CancellationToken ct)
    {
        using var r = await client.DeleteAsync($"/api/models/{Model}/exports/{Uri.EscapeDataString(id)}", ct);
        r.EnsureSuccessStatusCode();
    }

    private static string Arg(string[] args, string name, string fallback)
    {
        var i = Array.IndexOf(args, name);
        return i >= 0 && i + 1 < args.Length ? args[i + 1] : fallback;
    }
}
