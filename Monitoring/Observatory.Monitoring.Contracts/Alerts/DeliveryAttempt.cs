namespace Observatory.Monitoring.Contracts;

/// <summary>One try to deliver a notification to a channel; every try is recorded.</summary>
public sealed record DeliveryAttempt(long NotificationId, string AlertId, string Channel, DateTimeOffset At, bool Success, int? StatusCode, string? Error);
