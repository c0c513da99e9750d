using Observatory.Monitoring.Api.Jobs;
using Observatory.Monitoring.Contracts;
using Observatory.Monitoring.Core.Models;
using Observatory.Monitoring.Core.Ports;
using Quartz;

namespace Observatory.Monitoring.Api.Services;

/// <summary>
/// Per-model Quartz jobs (drift, accuracy) in the model's group on its cron. Misfires: fire once now and proceed — after
/// downtime a model gets one fresh run over its latest window, not one per missed slot.
/// </summary>
public sealed class JobScheduling(ISchedulerFactory factory)
{
    public static readonly string[] ModelJobs = [DriftJob.Name, AccuracyJob.Name, ReferenceEmbeddingJob.Name];

    /// <summary>Jobs on the model's cron; the reference-embedding job has no trigger and runs on registration and on demand.</summary>
    private static readonly string[] CronJobs = [DriftJob.Name, AccuracyJob.Name];

    public static bool IsValidCron(string cron) => CronExpression.TryParse(cron, out _);

    public async Task ScheduleModelAsync(MonitoredModel model, CancellationToken ct)
    {
        var scheduler = await factory.GetScheduler(ct);
        foreach (var name in CronJobs)
        {
            var key = new JobKey(name, model.Name);
            // RequestRecovery: with the clustered store, a run cut short by a crashed instance is fired again by a surviving one.
            var job = name == DriftJob.Name
                ? JobBuilder.Create<DriftJob>().WithIdentity(key).UsingJobData("model", model.Name).StoreDurably().RequestRecovery().Build()
                : JobBuilder.Create<AccuracyJob>().WithIdentity(key).UsingJobData("model", model.Name).StoreDurably().RequestRecovery().Build();
            var trigger = TriggerBuilder.Create().WithIdentity(name, model.Name).ForJob(key)
                .WithCronSchedule(model.Schedule, c => c.WithMisfireInstruction(CronTriggerMisfireInstruction.FireAndProceed).InTimeZone(TimeZoneInfo.Utc))
                .Build();
            await scheduler.ScheduleJob(job, [trigger], ScheduleJobOptions.Replacing, ct);
        }
        var referenceKey = new JobKey(ReferenceEmbeddingJob.Name, model.Name);
        await scheduler.AddJob(JobBuilder.Create<ReferenceEmbeddingJob>().WithIdentity(referenceKey).UsingJobData("model", model.Name).StoreDurably().RequestRecovery().Build(), AddJobOptions.Replacing, ct);
        // Embed the reference as soon as the model names one, so the first drift run finds it cached.
        if (model.Reference is not null) await scheduler.TriggerJob(referenceKey, ct);
    }

    public async Task UnscheduleModelAsync(string model, CancellationToken ct)
    {
        var scheduler = await factory.GetScheduler(ct);
        foreach (var name in ModelJobs) await scheduler.DeleteJob(new JobKey(name, model), ct);
    }

    /// <summary>Fires a model job now (outside its cron); DisallowConcurrentExecution still holds it back while a run is in progress.</summary>
    public async Task<bool> RunNowAsync(string model, string job, CancellationToken ct)
    {
        var scheduler = await factory.GetScheduler(ct);
        var key = ModelJobs.Contains(job) ? new JobKey(job, model) : new JobKey(job, SystemGroup);
        if (!await scheduler.Exists(key, ct)) return false;
        await scheduler.TriggerJob(key, ct);
        return true;
    }

    public const string SystemGroup = "system";

    public async Task<IReadOnlyList<JobStatus>> StatusAsync(IMonitoringStore store, string? model, CancellationToken ct)
    {
        var scheduler = await factory.GetScheduler(ct);
        var runs = await store.ListJobRunsAsync(model, 500, ct);
        var keys = new List<(string Group, string Name, string? Cron)>();
        var models = model is null ? (await store.ListModelsAsync(ct)).ToList() : new List<MonitoredModel?> { await store.GetModelAsync(model, ct) }.OfType<MonitoredModel>().ToList();
        foreach (var m in models)
            foreach (var name in ModelJobs) keys.Add((m.Name, name, m.Schedule));
        if (model is null)
            foreach (var name in new[] { NotificationDeliveryJob.Name, RetentionJob.Name }) keys.Add((SystemGroup, name, null));
        var list = new List<JobStatus>();
        foreach (var (group, name, cron) in keys)
        {
            var t = await scheduler.GetTrigger(new TriggerKey(name, group), ct);
            var last = runs.FirstOrDefault(r => r.Job == name && (r.Model ?? SystemGroup) == group);
            list.Add(new JobStatus(name, group == SystemGroup ? null : group, cron, t?.NextFireTimeUtc, t?.PreviousFireTimeUtc, last));
        }
        return list;
    }
}
