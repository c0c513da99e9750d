using System.Globalization;
using Observatory.Monitoring.Core.Images;
using Observatory.Monitoring.Onnx;
using Observatory.TrafficSimulator;

// Observatory.TrafficSimulator --url U [--api-key K] [--model M] [--scenario no-drift|gradual-drift|new-class|label-noise]
//   [--reference N] [--events N] [--feedback SHARE] [--seed S] [--encoder resnet18|random] [--classes 0,1] [--register] [--upload]
// --upload sends production traffic as images (with the boxes a detector reported) for the service to embed and keep.
// The encoder must be the service's (Monitoring:Encoder), or the embeddings sent and the reference's do not compare.
var o = new Dictionary<string, string>(StringComparer.Ordinal);
var flags = new HashSet<string>(StringComparer.Ordinal);
for (var i = 0; i < args.Length; i++)
{
    if (args[i] is "--register" or "--upload") { flags.Add(args[i][2..]); continue; }
    if (!args[i].StartsWith("--", StringComparison.Ordinal) || i + 1 >= args.Length)
    {
        Console.Error.WriteLine("usage: Observatory.TrafficSimulator --url http://127.0.0.1:5080 [--api-key K] [--model shapes-sim] [--scenario gradual-drift] [--reference 300] [--events 500] [--feedback 0.5] [--seed 1] [--encoder resnet18] [--register] [--upload]");
        return 2;
    }
    o[args[i][2..]] = args[++i];
}
string Get(string k, string d) => o.TryGetValue(k, out var v) ? v : d;
var url = Get("url", Environment.GetEnvironmentVariable("OBS_MONITORING_URL") ?? "http://127.0.0.1:5080");
// Not "shapes": that is the tour's dataset-referenced model, which simulated traffic should not land in by accident.
var model = Get("model", "shapes-sim");
var scenario = TrafficScenario.Parse(Get("scenario", "no-drift"));
if (o.TryGetValue("classes", out var classes))
    scenario = scenario with { Known = classes.Split(',').Select(c => int.Parse(c, CultureInfo.InvariantCulture)).ToArray() };
var reference = int.Parse(Get("reference", "300"), CultureInfo.InvariantCulture);
var count = int.Parse(Get("events", "500"), CultureInfo.InvariantCulture);
var feedback = double.Parse(Get("feedback", "0.5"), CultureInfo.InvariantCulture);
var seed = int.Parse(Get("seed", "1"), CultureInfo.InvariantCulture);

using var http = new HttpClient { BaseAddress = new Uri(url), Timeout = TimeSpan.FromMinutes(2) };
if (Get("api-key", Environment.GetEnvironmentVariable("OBS_MONITORING_API_KEY") ?? "") is { Length: > 0 } key) http.DefaultRequestHeaders.Add("X-Api-Key", key);
var encoder = Get("encoder", "resnet18");
if (EmbeddingModelOptions.BuiltIn(encoder) is not { } encoderOptions)
{
    Console.Error.WriteLine($"--encoder '{encoder}' is not a built-in encoder; choose one of {string.Join(", ", EmbeddingModelOptions.BuiltInEncoders)}");
    return 2;
}
using var embedder = new ImageEmbedder(encoderOptions);
var generator = new TrafficGenerator(embedder);
var client = new MonitoringClient(http);
var now = DateTimeOffset.UtcNow;
var runner = new SimulationRunner(generator, client);
var summary = await runner.RunAsync(model, scenario, reference, count, feedback, seed, now, flags.Contains("register"), CancellationToken.None, flags.Contains("upload"));
Console.WriteLine(summary);
return 0;
