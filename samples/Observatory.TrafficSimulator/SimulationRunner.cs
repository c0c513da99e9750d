namespace Observatory.TrafficSimulator;

/// <summary>
/// One simulation: optionally registers the model and sends its reference period (clean traffic, 3–2 h ago, with feedback),
/// then sends the scenario's production traffic over the last 25 minutes with a share of feedback.
/// </summary>
public sealed class SimulationRunner(TrafficGenerator generator, MonitoringClient client)
{
    /// <param name="upload">Production traffic is uploaded as images (the service embeds and keeps them) instead of embeddings.</param>
    public async Task<string> RunAsync(string model, TrafficScenario scenario, int referenceCount, int count, double feedbackShare, int seed, DateTimeOffset now,
        bool register, CancellationToken ct, bool upload = false)
    {
        var sent = 0;
        var registered = false;
        if (register)
        {
            var reference = await generator.GenerateAsync($"ref-{seed}", new TrafficScenario(ScenarioKind.NoDrift), referenceCount, now.AddHours(-3), now.AddHours(-2), seed, ct);
            // An existing model keeps its own reference; the simulated reference period belongs to a model this run registered.
            registered = await client.RegisterAsync(model, reference[0].Embedding.Length, now.AddHours(-2), 0.9, "00:30:00", ct);
            if (registered)
            {
                sent += await client.SendEventsAsync(model, reference, 500, ct);
                await client.SendFeedbackAsync(model, reference, 1.0, seed, 1000, ct);
            }
        }
        var production = await generator.GenerateAsync($"{scenario.Kind}-{seed}", scenario, count, now.AddMinutes(-25), now, seed + 1, ct, keepImages: upload);
        // Uploads go in smaller batches: each carries its images.
        sent += upload ? await client.UploadEventsAsync(model, production, 100, ct) : await client.SendEventsAsync(model, production, 500, ct);
        await client.SendFeedbackAsync(model, production, feedbackShare, seed + 2, 1000, ct);
        var note = register && !registered ? $"; model '{model}' existed and was left as it is (not re-registered)" : "";
        return $"{(upload ? "uploaded" : "sent")} {sent} new events ({scenario.Kind}, {count} production{(registered ? $", {referenceCount} reference" : "")}) to model '{model}'{note}";
    }
}
