using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Options;
using Observatory.Monitoring.Adapters;
using Observatory.Monitoring.Api.Apis;
using Observatory.Monitoring.Api.Infrastructure;
using Observatory.Monitoring.Api.Jobs;
using Observatory.Monitoring.Api.Services;
using Observatory.Monitoring.Core.Models;
using Observatory.Monitoring.Core.Ports;
using Observatory.ServiceDefaults;
using Quartz;
using Observatory.Monitoring.Contracts;

namespace Observatory.Monitoring.Api;

/// <summary>Composition of the Monitoring host; tests build it in-process with their own configuration and clock.</summary>
public static class MonitoringHost
{
    /// <summary>DI key of the domain clock (windows, alerts, retries). Quartz keeps its own wall clock, so a test can fake this one alone.</summary>
    public const string ClockKey = "monitoring-clock";

    /// <param name="configure">Runs before the services are added (configuration sources, URLs).</param>
    /// <param name="overrideServices">Runs after, so its registrations win (e.g. a fake domain clock).</param>
    public static WebApplication Build(string[] args, Action<WebApplicationBuilder>? configure = null, Action<IServiceCollection>? overrideServices = null)
    {
        var builder = AppFolder.CreateBuilder(args);
        configure?.Invoke(builder);
        builder.AddMonitoringServices();
        overrideServices?.Invoke(builder.Services);
        var app = builder.Build();
        app.MapMonitoringEndpoints();
        return app;
    }

    public static WebApplicationBuilder AddMonitoringServices(this WebApplicationBuilder builder)
    {
        var section = builder.Configuration.GetSection(MonitoringOptions.Section);
        builder.Services.AddOptions<MonitoringOptions>().Bind(section)
            .Validate(o => o.MaxBatchSize > 0 && o.MaxBodyBytes > 0, "Monitoring:MaxBatchSize and Monitoring:MaxBodyBytes must be positive")
            .Validate(o => o.Webhooks.All(w => w.Name.Length > 0 && Uri.TryCreate(w.Url, UriKind.Absolute, out _) && w.Format is "json" or "slack"
                    && w.TimeoutSeconds is > 0 and <= 300),
                "each Monitoring:Webhooks entry needs a Name, an absolute Url, Format json or slack, and TimeoutSeconds in (0, 300]")
            .Validate(o => o.Images.MaxSide > 0 && o.Images.MaxPixels > 0 && o.Images.MaxImageBytes > 0 && o.Images.DecodeMemoryMegabytes >= 4,
                "Monitoring:Images: MaxSide, MaxPixels and MaxImageBytes must be positive and DecodeMemoryMegabytes at least 4")
            .Validate(o => o.EventRetentionDays == 0 || o.EventRetentionDays >= Math.Max(1, o.RetentionDays),
                "Monitoring:EventRetentionDays must be 0 (keep events for good) or at least Monitoring:RetentionDays (embeddings are pruned before their events)")
            .Validate(o => o.MaxExportItems is > 0 and <= 100_000, "Monitoring:MaxExportItems must be between 1 and 100000")
            .Validate(o => o.EventExportBatchSize is > 0 and <= 100_000, "Monitoring:EventExportBatchSize must be between 1 and 100000")
            .Validate(o => string.IsNullOrEmpty(o.DashboardUrl) || Uri.TryCreate(o.DashboardUrl, UriKind.Absolute, out var u) && u.Scheme is "http" or "https",
                "Monitoring:DashboardUrl must be an absolute http(s) URL (where people open the dashboard), or empty")
            .ValidateOnStart();
        builder.Services.AddSingleton<IValidateOptions<MonitoringOptions>, ImageFetchValidator>();
        builder.AddServiceDefaults(o =>
        {
            o.ApiKeys = sp =>
            {
                var m = sp.GetRequiredService<IOptions<MonitoringOptions>>().Value;
                return new ApiKeys(m.ReadApiKey, m.ApiKey, "Monitoring:ApiKey (or Monitoring:ReadApiKey, for reads only)");
            };
            o.IsCostly = IsCostly;
        }).AddCheck<StoreHealthCheck>("store");
        builder.Services.AddOpenApi(o => o.AddOperationTransformer(FrameOpenApi.TransformAsync));
        builder.Services.ConfigureHttpJsonOptions(o => MonitoringJson.Configure(o.SerializerOptions));
        // The domain clock is the shared one unless a test replaces it alone.
        builder.Services.TryAddKeyedSingleton<TimeProvider>(ClockKey, (sp, _) => sp.GetRequiredService<TimeProvider>());
        builder.Services.AddMonitoringStore(builder.Configuration);
        builder.Services.AddSingleton<MonitoringMetrics>();
        builder.Services.AddSingleton<ApiKeyFilter>();
        builder.Services.AddSingleton<DriftService>();
        builder.Services.AddSingleton<ExportService>();
        builder.Services.AddSingleton<AccuracyService>();
        builder.Services.AddSingleton<AlertService>();
        builder.Services.AddSingleton<NotificationService>();
        builder.Services.AddSingleton<RetentionService>();
        // The holds retention asks before deleting a kept image (the adapters add the dataset versions').
        builder.Services.AddSingleton<IImageHolds, ExportImageHolds>();
        builder.Services.AddMonitoringAdapters(builder.Configuration, sp =>
        {
            var m = sp.GetRequiredService<IOptions<MonitoringOptions>>().Value;
            return new MonitoringAdapterSettings(m.Images.ToLimits(), new ReferenceDatasetsSettings(m.EmbeddingCacheDirectory, m.EffectiveReferenceRoots()))
            {
                ImageStore = m.EffectiveImageStore(),
            };
        });
        builder.Services.AddSingleton<JobScheduling>();
        // The factory's loggers write each request's full URL at Information, and a Slack webhook's token is its path.
        // Each endpoint's own TimeoutSeconds applies (NotificationService); this is only the outer bound.
        builder.Services.AddHttpClient(NotificationService.HttpClientName, c => c.Timeout = TimeSpan.FromSeconds(300)).RemoveAllLoggers();
        // Image fetches follow no redirect on their own (ImageFetcher checks each hop's origin), send no cookies, and are not
        // logged with their URLs (a signed URL's signature is its query).
        builder.Services.AddHttpClient(ImageFetcher.HttpClientName, c => c.Timeout = TimeSpan.FromSeconds(300))
            .ConfigurePrimaryHttpMessageHandler(() => new SocketsHttpHandler { AllowAutoRedirect = false, UseCookies = false, ConnectTimeout = TimeSpan.FromSeconds(30) })
            .RemoveAllLoggers();
        builder.Services.AddSingleton<ImageFetcher>();
        builder.Services.AddHostedService<StartupTasks>();

        var options = section.Get<MonitoringOptions>() ?? new MonitoringOptions();
        builder.AddQuartz(q =>
        {
            q.ConfigureScheduler(s =>
            {
                s.InstanceName = options.Quartz.InstanceName;
                s.InstanceId = options.Quartz.InstanceId;
            });
            if (options.Quartz.Clustered)
            {
                var cs = builder.Configuration.GetConnectionString("Monitoring")
                    ?? throw new InvalidOperationException("Monitoring:Quartz:Clustered needs ConnectionStrings:Monitoring (PostgreSQL)");
                q.UsePersistentStore(s =>
                {
                    s.UsePostgres(cs);
                    s.UseClustering(c => c.CheckinInterval = TimeSpan.FromSeconds(5));
                    s.ProvisionSchema();
                });
            }
            else q.UseInMemoryStore();
            var delivery = new JobKey(NotificationDeliveryJob.Name, JobScheduling.SystemGroup);
            q.AddJob<NotificationDeliveryJob>(j => j.WithIdentity(delivery).StoreDurably());
            q.AddTrigger(t => t.WithIdentity(NotificationDeliveryJob.Name, JobScheduling.SystemGroup).ForJob(delivery)
                .WithSimpleSchedule(s => s.WithInterval(TimeSpan.FromSeconds(options.DeliveryIntervalSeconds)).RepeatForever()
                    .WithMisfireInstruction(SimpleTriggerMisfireInstruction.NextWithRemainingCount)));
            var retention = new JobKey(RetentionJob.Name, JobScheduling.SystemGroup);
            q.AddJob<RetentionJob>(j => j.WithIdentity(retention).StoreDurably());
            q.AddTrigger(t => t.WithIdentity(RetentionJob.Name, JobScheduling.SystemGroup).ForJob(retention)
                .WithCronSchedule("0 15 3 * * ?", c => c.InTimeZone(TimeZoneInfo.Utc).WithMisfireInstruction(CronTriggerMisfireInstruction.FireAndProceed)));
        });
        builder.AddQuartzHostedService(o => o.WaitForJobsToComplete = true);
        return builder;
    }

    /// <summary>
    /// Reads that scan many rows (hardening finding 11): outliers compare a window with every reference embedding, and a
    /// thinned series with full details reads and sends every result's JSON. The dashboard's compact series are not costly.
    /// </summary>
    internal static bool IsCostly(HttpContext http)
    {
        if (!HttpMethods.IsGet(http.Request.Method)) return false;
        var path = http.Request.Path.Value ?? "";
        if (path.EndsWith("/drift/outliers", StringComparison.Ordinal)) return true;
        // An event listing reads the whole range (a million events is a few seconds of the store's time).
        if (path.EndsWith("/events", StringComparison.Ordinal)) return true;
        var series = path.EndsWith("/drift", StringComparison.Ordinal) || path.EndsWith("/accuracy", StringComparison.Ordinal);
        return series && http.Request.Query.ContainsKey("maxPoints") && http.Request.Query["details"] != "compact";
    }

    public static WebApplication MapMonitoringEndpoints(this WebApplication app)
    {
        app.MapServiceDefaults();
        app.MapOpenApi();
        app.MapModelsApi();
        app.MapEventsApi();
        app.MapResultsApi();
        app.MapAlertsApi();
        app.MapExportsApi();
        return app;
    }
}

/// <summary>Fails start-up naming the bad Monitoring:ImageFetch entry.</summary>
internal sealed class ImageFetchValidator : IValidateOptions<MonitoringOptions>
{
    public ValidateOptionsResult Validate(string? name, MonitoringOptions options) =>
        options.ImageFetch.Refuse() is { } why ? ValidateOptionsResult.Fail(why) : ValidateOptionsResult.Success;
}

/// <summary>Healthy when the store answers a read.</summary>
internal sealed class StoreHealthCheck(IMonitoringStore store) : IHealthCheck
{
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        await store.ListModelsAsync(cancellationToken);
        return HealthCheckResult.Healthy();
    }
}

/// <summary>Applies migrations before the server listens, then puts every stored model's jobs on the schedule.</summary>
internal sealed class StartupTasks(IMonitoringStore store, JobScheduling scheduling) : IHostedService
{
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        await store.MigrateAsync(cancellationToken);
        foreach (var model in await store.ListModelsAsync(cancellationToken))
            await scheduling.ScheduleModelAsync(model, cancellationToken);
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
