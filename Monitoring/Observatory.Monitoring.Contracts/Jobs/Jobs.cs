namespace Observatory.Monitoring.Contracts;

/// <summary>One execution of a scheduled job: the fire time it served (Quartz's scheduled time; null when run outside a schedule) and the scheduler instance that ran it.</summary>
public sealed record JobRun(string Job, string? Model, DateTimeOffset StartedAt, DateTimeOffset FinishedAt, string Status, string? Error)
{
    public DateTimeOffset? ScheduledAt { get; init; }
    public string? Instance { get; init; }

    /// <summary>What the run did, in a sentence (e.g. retention: embeddings pruned, images deleted and spared); null when it says nothing.</summary>
    public string? Detail { get; init; }
}

/// <summary>A job's schedule (model jobs carry the model's cron; system jobs have no model) and its latest run.</summary>
public sealed record JobStatus(string Job, string? Model, string? Cron, DateTimeOffset? NextFireTime, DateTimeOffset? PreviousFireTime, JobRun? LastRun);

/// <summary>The answer to "run now": the job was handed to the scheduler (it still waits while a run of it is in progress).</summary>
public sealed record JobTriggered(string? Model, string Job, string Status);
