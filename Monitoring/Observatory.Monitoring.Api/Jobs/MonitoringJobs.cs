using Microsoft.Extensions.DependencyInjection;
using System.Diagnostics;
using Observatory.Monitoring.Api.Infrastructure;
using Observatory.Monitoring.Api.Services;
using Observatory.Monitoring.Core.Ports;
using Quartz;
using Observatory.Monitoring.Contracts;

namespace Observatory.Monitoring.Api.Jobs;

/// <summary>Runs a job body, records the run (status, duration, error) in the store and the metrics.</summary>
internal static class JobRunner
{
    public static ValueTask RunAsync(IJobExecutionContext context, string job, string? model, IMonitoringStore store, MonitoringMetrics metrics, TimeProvider time, ILogger log,
        Func<CancellationToken, Task> body, CancellationToken ct) =>
        RunWithDetailAsync(context, job, model, store, metrics, time, log, async c => { await body(c); return null; }, ct);

    /// <summary>As <see cref="RunAsync"/>, recording what the body says it did (<see cref="JobRun.Detail"/>).</summary>
    public static async ValueTask RunWithDetailAsync(IJobExecutionContext context, string job, string? model, IMonitoringStore store, MonitoringMetrics metrics, TimeProvider time, ILogger log,
        Func<CancellationToken, Task<string?>> body, CancellationToken ct)
    {
        var started = time.GetUtcNow();
        var sw = Stopwatch.StartNew();
        string status = "succeeded"; string? error = null, detail = null;
        try { detail = await body(ct); }
        catch (OperationCanceledException) when (ct.IsCancellationRequested) { status = "cancelled"; throw; }
        catch (Exception ex)
        {
            status = "failed"; error = ex.Message;
            log.LogError(ex, "job {Job} failed for {Model}", job, model);
            throw new JobExecutionException(ex);
        }
        finally
        {
            metrics.JobFinished(job, status, sw.Elapsed);
            await store.RecordJobRunAsync(new JobRun(job, model, started, started + sw.Elapsed, status, error)
            {
                // "Run now" fires have no schedule; cron fires carry the slot they serve, which a cluster must run exactly once.
                ScheduledAt = context.Trigger.Key.Name == job ? context.ScheduledFireTimeUtc : null,
                Instance = context.Scheduler.SchedulerInstanceId,
                Detail = detail,
            }, CancellationToken.None);
        }
    }
}

/// <summary>Drift of one model's window against its reference, then alert evaluation.</summary>
[DisallowConcurrentExecution]
public sealed class DriftJob(DriftService drift, AlertService alerts, IMonitoringStore store, MonitoringMetrics metrics, [FromKeyedServices(MonitoringHost.ClockKey)] TimeProvider time, ILogger<DriftJob> log) : IJob
{
    public const string Name = "drift";

    public ValueTask Execute(IJobExecutionContext context, CancellationToken cancellationToken = default)
    {
        var model = context.MergedJobDataMap.GetString("model")!;
        return JobRunner.RunAsync(context, Name, model, store, metrics, time, log, async ct =>
        {
            await drift.RunAsync(model, ct);
            await alerts.EvaluateAsync(model, ct);
        }, cancellationToken);
    }
}

/// <summary>Accuracy (labelled and estimated) of one model's window, then alert evaluation.</summary>
[DisallowConcurrentExecution]
public sealed class AccuracyJob(AccuracyService accuracy, AlertService alerts, IMonitoringStore store, MonitoringMetrics metrics, [FromKeyedServices(MonitoringHost.ClockKey)] TimeProvider time, ILogger<AccuracyJob> log) : IJob
{
    public const string Name = "accuracy";

    public ValueTask Execute(IJobExecutionContext context, CancellationToken cancellationToken = default)
    {
        var model = context.MergedJobDataMap.GetString("model")!;
        return JobRunner.RunAsync(context, Name, model, store, metrics, time, log, async ct =>
        {
            await accuracy.RunAsync(model, ct);
            await alerts.EvaluateAsync(model, ct);
        }, cancellationToken);
    }
}

/// <summary>Embeds the model's reference dataset version once per tree + encoder (cached); a no-op when it is cached already.</summary>
[DisallowConcurrentExecution]
public sealed class ReferenceEmbeddingJob(IReferenceDatasets references, IModelEncoders encoders, IMonitoringStore store, MonitoringMetrics metrics,
    [FromKeyedServices(MonitoringHost.ClockKey)] TimeProvider time, ILogger<ReferenceEmbeddingJob> log) : IJob
{
    public const string Name = "reference-embedding";

    public ValueTask Execute(IJobExecutionContext context, CancellationToken cancellationToken = default)
    {
        var model = context.MergedJobDataMap.GetString("model")!;
        return JobRunner.RunAsync(context, Name, model, store, metrics, time, log, async ct =>
        {
            if (await store.GetModelAsync(model, ct) is { Reference: { } reference } m)
                await references.GetEmbeddingsAsync(reference, await encoders.ForModelAsync(m, ct), nameFiles: false, ct);
        }, cancellationToken);
    }
}

/// <summary>Sends due webhook notifications (retries included).</summary>
[DisallowConcurrentExecution]
public sealed class NotificationDeliveryJob(NotificationService notifications) : IJob
{
    public const string Name = "notification-delivery";

    public async ValueTask Execute(IJobExecutionContext context, CancellationToken cancellationToken = default) =>
        await notifications.DeliverDueAsync(cancellationToken);
}

/// <summary>Prunes old raw embeddings, kept images past their model's retention and events past event retention; the run's detail says how many.</summary>
[DisallowConcurrentExecution]
public sealed class RetentionJob(RetentionService retention, IMonitoringStore store, MonitoringMetrics metrics, [FromKeyedServices(MonitoringHost.ClockKey)] TimeProvider time, ILogger<RetentionJob> log) : IJob
{
    public const string Name = "retention";

    public ValueTask Execute(IJobExecutionContext context, CancellationToken cancellationToken = default) =>
        JobRunner.RunWithDetailAsync(context, Name, null, store, metrics, time, log, async ct =>
        {
            var result = await retention.PruneAsync(ct);
            log.LogInformation("retention: {Detail}", result.Describe());
            return result.Describe();
        }, cancellationToken);
}
