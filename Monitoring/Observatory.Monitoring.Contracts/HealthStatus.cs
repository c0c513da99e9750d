namespace Observatory.Monitoring.Contracts;

/// <summary>The answer of /healthz: "ok" once the store answers.</summary>
public sealed record HealthStatus(string Status);
