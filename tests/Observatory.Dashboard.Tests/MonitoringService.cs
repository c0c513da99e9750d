using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Observatory.Testing;

namespace Observatory.Dashboard.Tests;

/// <summary>
/// The real Monitoring service as its own process (`dotnet Observatory.Monitoring.Api.dll` from its build output) on 127.0.0.1, with
/// a SQLite store in a temp directory, as Observatory.Monitoring.Api.Tests' ServiceProcess does. Killed with its tree on dispose.
/// </summary>
public sealed class MonitoringService : IAsyncDisposable
{
    public const string ApiKey = "dashboard-test-key";
    public const string ReadApiKey = "dashboard-test-read-key";
    public const string Webhook = "ops";

    private readonly Process _process;
    private readonly TempDirectory _dir;
    private readonly StringBuilder _log = new();

    public Uri BaseAddress { get; }
    public HttpClient Client { get; }
    public string Log { get { lock (_log) return _log.ToString(); } }

    private MonitoringService(Process process, TempDirectory dir, Uri baseAddress)
    {
        _process = process;
        _dir = dir;
        BaseAddress = baseAddress;
        Client = new HttpClient { BaseAddress = baseAddress, Timeout = TimeSpan.FromSeconds(60) };
        Client.DefaultRequestHeaders.Add("X-Api-Key", ApiKey);
    }

    /// <param name="seed">Called with the store's SQLite path before the service starts (for history the API cannot write).</param>
    public static async Task<MonitoringService> StartAsync(Func<string, Task>? seed = null)
    {
        var configuration = new DirectoryInfo(Path.TrimEndingDirectorySeparator(AppContext.BaseDirectory)).Parent!.Name;
        var bin = Path.Combine(RepoLocator.Root, "Monitoring", "Observatory.Monitoring.Api", "bin", configuration, "net10.0");
        var dll = Path.Combine(bin, "Observatory.Monitoring.Api.dll");
        if (!File.Exists(dll)) throw new InvalidOperationException($"{dll} not found; build tests/Observatory.Dashboard.Tests (it builds the service)");
        var dir = new TempDirectory("dash-mon");
        if (seed is not null) await seed(dir.Combine("monitoring.db"));
        var port = Ports.Free();
        var psi = new ProcessStartInfo("dotnet") { WorkingDirectory = bin, RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var a in new[]
                 {
                     dll, $"--urls=http://127.0.0.1:{port}", $"--Monitoring:ApiKey={ApiKey}",
                     // Reads need a key too (as when Monitoring is bound beyond loopback): every monitoring page test then
                     // shows that the dashboard sends its key on reads (hardening finding 1).
                     $"--Monitoring:ReadApiKey={ReadApiKey}",
                     $"--ConnectionStrings:Monitoring=Data Source={dir.Combine("monitoring.db")}",
                     $"--Monitoring:EmbeddingCacheDirectory={dir.Combine("embedding-cache")}",
                     $"--Monitoring:ImageStore:Url={dir.Combine("images")}",
                     "--Logging:LogLevel:Default=Warning",
                     // A webhook nobody listens on: every delivery attempt fails and is recorded, so the alert has attempts to show.
                     $"--Monitoring:Webhooks:0:Name={Webhook}", $"--Monitoring:Webhooks:0:Url=http://127.0.0.1:{Ports.Free()}/hook",
                     "--Monitoring:DeliveryIntervalSeconds=0.5",
                     "--Monitoring:Encoder:Name=random", // fast; the pretrained default is tested in Monitoring.Api.Tests
                     $"--Monitoring:ReferenceRoots:0={Path.GetTempPath()}", // the fixture's registry lives in temp
                 })
            psi.ArgumentList.Add(a);
        psi.Environment["ASPNETCORE_ENVIRONMENT"] = "Production";
        var process = Process.Start(psi)!;
        var service = new MonitoringService(process, dir, new Uri($"http://127.0.0.1:{port}/"));
        process.OutputDataReceived += (_, e) => { if (e.Data is not null) lock (service._log) service._log.AppendLine(e.Data); };
        process.ErrorDataReceived += (_, e) => { if (e.Data is not null) lock (service._log) service._log.AppendLine(e.Data); };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        await UntilAsync(async () =>
        {
            if (process.HasExited) throw new InvalidOperationException($"the monitoring service exited with {process.ExitCode}:\n{service.Log}");
            try { return (await service.Client.GetAsync("healthz")).IsSuccessStatusCode; }
            catch (HttpRequestException) { return false; }
        }, "monitoring /healthz", 90);
        return service;
    }

    public async Task RegisterAsync(string name, object definition)
    {
        using var r = await Client.PutAsJsonAsync($"api/models/{name}", definition);
        if (!r.IsSuccessStatusCode) throw new InvalidOperationException($"PUT model {name}: {(int)r.StatusCode} {await r.Content.ReadAsStringAsync()}");
    }

    /// <summary>Posts <paramref name="n"/> events spread over [from, to) with 8-d Gaussian embeddings shifted by <paramref name="shift"/>.</summary>
    /// <returns>The predicted class of each event, by id.</returns>
    public async Task<IReadOnlyDictionary<string, string>> SendEventsAsync(string model, string prefix, int n, DateTimeOffset from, DateTimeOffset to, double shift, int seed,
        Func<int, string?>? imageUri = null)
    {
        var rng = new Random(seed);
        string[] classes = ["circle", "square", "triangle"];
        var events = Enumerable.Range(0, n).Select(i => new
        {
            id = $"{prefix}-{i}",
            timestamp = from + (to - from) * i / n,
            predictedClass = classes[rng.Next(3)],
            confidence = 0.7 + 0.3 * rng.NextDouble(),
            embedding = Enumerable.Range(0, 8).Select(_ => (float)(Normal(rng) + shift)).ToArray(),
            imageUri = imageUri?.Invoke(i),
        }).ToArray();
        using var r = await Client.PostAsJsonAsync($"api/models/{model}/events", new { events });
        if (!r.IsSuccessStatusCode) throw new InvalidOperationException($"POST events: {(int)r.StatusCode} {await r.Content.ReadAsStringAsync()}");
        return events.ToDictionary(e => e.id, e => e.predictedClass);
    }

    /// <summary>Uploads images (multipart) as events spread over [from, to); the service embeds them and computes their statistics.</summary>
    public async Task UploadImagesAsync(string model, string prefix, IReadOnlyList<byte[]> images, DateTimeOffset from, DateTimeOffset to, string predictedClass)
    {
        using var form = new MultipartFormDataContent();
        var events = images.Select((_, i) => new { id = $"{prefix}-{i}", timestamp = from + (to - from) * i / images.Count, predictedClass, confidence = 0.9 });
        form.Add(new StringContent(JsonSerializer.Serialize(new { events })), "events");
        for (var i = 0; i < images.Count; i++) form.Add(new ByteArrayContent(images[i]), "images", $"{prefix}-{i}.jpg");
        using var r = await Client.PostAsync($"api/models/{model}/images", form);
        if (!r.IsSuccessStatusCode) throw new InvalidOperationException($"POST images: {(int)r.StatusCode} {await r.Content.ReadAsStringAsync()}");
    }

    public async Task SendFeedbackAsync(string model, IEnumerable<(string Id, string TrueClass)> feedback)
    {
        using var r = await Client.PostAsJsonAsync($"api/models/{model}/feedback", new { feedback = feedback.Select(f => new { id = f.Id, trueClass = f.TrueClass }).ToArray() });
        if (!r.IsSuccessStatusCode) throw new InvalidOperationException($"POST feedback: {(int)r.StatusCode} {await r.Content.ReadAsStringAsync()}");
    }

    /// <summary>Runs the accuracy job now and waits until its result is stored.</summary>
    public async Task RunAccuracyAsync(string model)
    {
        var before = (await Client.GetFromJsonAsync<JsonElement>($"api/models/{model}/accuracy?limit=1000")).GetArrayLength();
        using var r = await Client.PostAsync($"api/models/{model}/jobs/accuracy/run", null);
        if (r.StatusCode != HttpStatusCode.Accepted) throw new InvalidOperationException($"run accuracy: {(int)r.StatusCode} {await r.Content.ReadAsStringAsync()}");
        await UntilAsync(async () => (await Client.GetFromJsonAsync<JsonElement>($"api/models/{model}/accuracy?limit=1000")).GetArrayLength() > before,
            $"a new accuracy result of {model}\n{Log}", 90);
    }

    /// <summary>Runs the drift job now and waits until its result is stored.</summary>
    public async Task RunDriftAsync(string model)
    {
        var before = (await DriftAsync(model)).Length;
        // wait=true answers once the run is recorded: after its alert evaluation, so the alerts it fires are there to read.
        using var r = await Client.PostAsync($"api/models/{model}/jobs/drift/run?wait=true", null);
        if (r.StatusCode != HttpStatusCode.OK) throw new InvalidOperationException($"run drift: {(int)r.StatusCode} {await r.Content.ReadAsStringAsync()}");
        await UntilAsync(async () => (await DriftAsync(model)).Length > before, $"a new drift result of {model}\n{Log}", 90);
    }

    public async Task<JsonElement[]> DriftAsync(string model) =>
        (await Client.GetFromJsonAsync<JsonElement>($"api/models/{model}/drift?limit=1000")).EnumerateArray().ToArray();

    public async Task<JsonElement[]> AlertsAsync(string model) =>
        (await Client.GetFromJsonAsync<JsonElement>($"api/alerts?model={model}")).EnumerateArray().ToArray();

    public static async Task UntilAsync(Func<Task<bool>> condition, string what, int timeoutSeconds = 60)
    {
        var deadline = DateTime.UtcNow.AddSeconds(timeoutSeconds);
        while (DateTime.UtcNow < deadline)
        {
            if (await condition()) return;
            await Task.Delay(100);
        }
        throw new TimeoutException($"timed out after {timeoutSeconds} s waiting for: {what}");
    }

    private static double Normal(Random rng) => Math.Sqrt(-2 * Math.Log(1 - rng.NextDouble())) * Math.Cos(2 * Math.PI * rng.NextDouble());

    public async ValueTask DisposeAsync()
    {
        Client.Dispose();
        try
        {
            if (!_process.HasExited)
            {
                _process.Kill(entireProcessTree: true);
                await _process.WaitForExitAsync();
            }
        }
        catch (InvalidOperationException) { }
        _process.Dispose();
        _dir.Dispose();
    }
}
