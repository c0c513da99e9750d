namespace Observatory.Monitoring.Contracts;

/// <summary>The answer of DELETE /api/models/{name}: what went with the model.</summary>
/// <param name="ResolvedAlerts">Open alerts of the model, resolved by the deletion.</param>
/// <param name="Message">One line for people, e.g. "model deleted; 2 open alerts resolved".</param>
public sealed record ModelDeletion(string Model, int ResolvedAlerts, string Message)
{
    public static ModelDeletion Of(string model, int resolvedAlerts) => new(model, resolvedAlerts,
        $"model '{model}' deleted; {resolvedAlerts} open alert{(resolvedAlerts == 1 ? "" : "s")} resolved");
}
