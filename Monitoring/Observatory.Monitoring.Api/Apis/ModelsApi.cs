using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Observatory.DataService.Core.Workspace;
using Observatory.Monitoring.Contracts;
using Observatory.Monitoring.Api.Infrastructure;
using Observatory.Monitoring.Api.Services;
using Observatory.Monitoring.Core.Alerts;
using Observatory.Monitoring.Core.Events;
using Observatory.Monitoring.Core.Models;
using Observatory.Monitoring.Core.Ports;

namespace Observatory.Monitoring.Api.Apis;

/// <summary>Register, update, list and delete monitored models.</summary>
public static class ModelsApi
{
    public static IEndpointRouteBuilder MapModelsApi(this IEndpointRouteBuilder app)
    {
        var read = app.MapGroup("/api/models").WithTags("Models");
        read.MapGet("/", ListAsync);
        read.MapGet("/{name}", GetAsync);
        var write = app.MapGroup("/api/models").WithTags("Models").AddEndpointFilter<ApiKeyFilter>();
        write.MapPut("/{name}", PutAsync);
        write.MapDelete("/{name}", DeleteAsync);
        return app;
    }

    public static async Task<Ok<IReadOnlyList<MonitoredModel>>> ListAsync(IMonitoringStore store, CancellationToken ct) => TypedResults.Ok(await store.ListModelsAsync(ct));

    public static async Task<Results<Ok<MonitoredModel>, ProblemHttpResult>> GetAsync(string name, IMonitoringStore store, CancellationToken ct) =>
        await store.GetModelAsync(name, ct) is { } m ? TypedResults.Ok(m) : Problems.NotFound($"model '{name}' is not registered; PUT /api/models/{name} registers it");

    public static async Task<Results<Created<MonitoredModel>, Ok<MonitoredModel>, ValidationProblem>> PutAsync(string name, HttpRequest request, IMonitoringStore store, IReferenceDatasets references,
        IModelEncoders encoders, IModelMetrics metrics, JobScheduling scheduling, [FromKeyedServices(MonitoringHost.ClockKey)] TimeProvider time, CancellationToken ct)
    {
        var (body, error) = await Problems.ReadJsonAsync<ModelDefinition>(request, 1024 * 1024, "invalid model definition", ct);
        if (error is not null) return error;
        var now = time.GetUtcNow();
        var existing = await store.GetModelAsync(name, ct);
        var model = Versioned(body!.ToModel(name, existing?.CreatedAt ?? now, now), existing, now);
        var (withEncoder, encoderErrors) = await CheckEmbeddingModelAsync(model, encoders, references, ct);
        model = withEncoder;
        var (withBaseline, baselineErrors) = await ReadBaselineAsync(model, metrics, references, ct);
        model = withBaseline;
        encoderErrors.AddRange(baselineErrors);
        var errors = encoderErrors.Count > 0 ? encoderErrors : ModelValidation.Validate(model).ToList();
        if (model.TrainedOn is { RepoPath: { Length: > 0 } trainedRepo } trainedOn && references.Refuse(trainedOn) is { } trainedOutside)
            errors.Add(new("trainedOn.repoPath", $"'{trainedRepo}' {trainedOutside}"));
        if (model.Reference is { RepoPath: { Length: > 0 } repoPath } reference && references.Refuse(reference) is { } outside)
            errors.Add(new("reference.repoPath", $"'{repoPath}' {outside}"));
        if (!EventValidation.IsModelVersion(model.Version))
            errors.Add(new("version", $"must be 1-{EventValidation.MaxModelVersionLength} characters, no control characters"));
        if (model.Stage is { } stage && !MonitoredModel.Stages.Contains(stage))
            errors.Add(new("stage", $"'{stage}' is not a stage; valid: {string.Join(", ", MonitoredModel.Stages)}"));
        if (!JobScheduling.IsValidCron(model.Schedule)) errors.Add(new("schedule", $"'{model.Schedule}' is not a valid Quartz cron expression (seconds first, e.g. \"0 0/5 * * * ?\")"));
        if (errors.Count > 0) return Problems.Invalid("invalid model definition", errors);
        await store.UpsertModelAsync(model, ct);
        await scheduling.ScheduleModelAsync(model, ct);
        if (existing is null) return TypedResults.Created($"/api/models/{name}", model);
        return TypedResults.Ok(model);
    }

    /// <summary>
    /// Registering another version keeps the one it replaces (with when it served); re-registering the same version keeps its
    /// history and registration time.
    /// </summary>
    internal static MonitoredModel Versioned(MonitoredModel model, MonitoredModel? existing, DateTimeOffset now)
    {
        if (existing is null) return model with { VersionRegisteredAt = now };
        if (existing.Version == model.Version)
            return model with { PreviousVersions = existing.PreviousVersions, VersionRegisteredAt = existing.VersionRegisteredAt ?? existing.CreatedAt };
        var replaced = new ModelVersionRecord(existing.Version, existing.EmbeddingModel, existing.TrainedOn, existing.BaselineAccuracy, existing.Stage,
            existing.VersionRegisteredAt ?? existing.CreatedAt, now);
        return model with { PreviousVersions = [.. existing.PreviousVersions, replaced], VersionRegisteredAt = now };
    }

    /// <summary>
    /// A model naming an encoder (the service's own, a built-in, or a registry model version) gets it loaded and checked now, and
    /// takes its dimension (none to type, none to get wrong); a model that cannot be loaded, or a dimension it does not have, is
    /// refused naming the problem. Client-sent embeddings need their dimension.
    /// </summary>
    internal static async Task<(MonitoredModel Model, List<FieldError> Errors)> CheckEmbeddingModelAsync(MonitoredModel model, IModelEncoders encoders,
        IReferenceDatasets references, CancellationToken ct)
    {
        var errors = new List<FieldError>();
        if (model.EmbeddingModel is null) return (model, errors);
        if (model.EmbeddingModel == MonitoredModel.ClientEmbeddings)
        {
            if (model.EmbeddingDimension <= 0)
                errors.Add(new("embeddingDimension", "embeddings sent by clients (embeddingModel \"client\") need their dimension, a positive integer"));
            return (model, errors);
        }
        var registry = ModelEncodersExtensions.RegistryOf(model);
        if (IModelEncoders.IsModelVersion(model.EmbeddingModel) && registry is not null && RefuseRegistry(references, registry) is { } outside)
        {
            errors.Add(new("embeddingModel", $"model version '{model.EmbeddingModel}' is read from '{registry}', which {outside}"));
            return (model, errors);
        }
        IImageEmbedder encoder;
        int? dimension;
        try
        {
            // Resolved afresh, then pinned: a registration names what the name gives now.
            encoder = await encoders.ForModelAsync(model with { EmbeddingModelKey = null }, ct);
            dimension = encoder.Dimension;
            // Registry model versions only: a built-in's bytes belong to this program, and change only with it.
            if (IModelEncoders.IsModelVersion(model.EmbeddingModel)) model = model with { EmbeddingModelKey = encoder.CacheKey };
        }
        catch (Exception ex) when (ex is EncoderUnavailableException or ArgumentException or InvalidDataException or FileNotFoundException)
        {
            errors.Add(new("embeddingModel", ex.Message));
            return (model, errors);
        }
        if (dimension is not { } d) return (model, errors); // a model that declares no output size is checked on the first upload
        if (model.EmbeddingDimension == 0) model = model with { EmbeddingDimension = d };
        else if (model.EmbeddingDimension != d)
            errors.Add(new("embeddingDimension", $"{model.EmbeddingDimension} is not the dimension of '{encoder.Name}' ({d}); leave it out and the service fills it in"));
        return (model, errors);
    }

    /// <summary>
    /// A baseline named by a committed metrics file is read now, from the model's registry at the model version's revision (or the
    /// one given), so the baseline is the one measured for the model that is monitored. Missing files, keys or odd values are 400s.
    /// </summary>
    internal static async Task<(MonitoredModel Model, List<FieldError> Errors)> ReadBaselineAsync(MonitoredModel model, IModelMetrics metrics,
        IReferenceDatasets references, CancellationToken ct)
    {
        var errors = new List<FieldError>();
        if (model.BaselineFrom is not { } source) return (model, errors);
        if (model.BaselineAccuracy is not null)
        {
            errors.Add(new("baselineAccuracy", "give baselineAccuracy or baselineFrom, not both"));
            return (model, errors);
        }
        if (string.IsNullOrWhiteSpace(source.Path) || string.IsNullOrWhiteSpace(source.Key))
        {
            errors.Add(new("baselineFrom", "needs path (a metrics file in the registry) and key (e.g. accuracy)"));
            return (model, errors);
        }
        if (ModelEncodersExtensions.RegistryOf(model) is not { } registry)
        {
            errors.Add(new("baselineFrom", "is read from the model's registry: give the model a reference or trainedOn dataset version in that repository"));
            return (model, errors);
        }
        if (RefuseRegistry(references, registry) is { } outside)
        {
            errors.Add(new("baselineFrom", $"'{registry}' {outside}"));
            return (model, errors);
        }
        var revision = source.Revision ?? ModelVersionRevision(model.EmbeddingModel) ?? "HEAD";
        IReadOnlyDictionary<string, double> values;
        try { values = await metrics.ReadAsync(registry, source.Path, revision, ct); }
        catch (MetricsUnavailableException ex)
        {
            errors.Add(new("baselineFrom", ex.Message));
            return (model, errors);
        }
        if (!values.TryGetValue(source.Key, out var value))
            errors.Add(new("baselineFrom.key", $"'{source.Key}' is not in {source.Path} at {revision}; its keys: {string.Join(", ", values.Keys)}"));
        else if (!(value is >= 0 and <= 1))
            errors.Add(new("baselineFrom.key", $"'{source.Key}' in {source.Path} at {revision} is {value}; an accuracy is between 0 and 1"));
        else model = model with { BaselineAccuracy = value, BaselineFrom = source with { Revision = revision } };
        return (model, errors);
    }

    /// <summary>Why the service may not read the registry at <paramref name="repoPath"/> (the reference roots' rule), or null.</summary>
    private static string? RefuseRegistry(IReferenceDatasets references, string repoPath) => references.Refuse(new ReferenceDataset(repoPath, "", ""));

    /// <summary>
    /// The git revision a registry model version names: models/x@v3 → x@v3 (the tag obs commit --tag makes, as
    /// <see cref="ModelRevision"/> reads it); null for built-ins and versions without a revision.
    /// </summary>
    internal static string? ModelVersionRevision(string? embeddingModel)
    {
        if (embeddingModel is null || !embeddingModel.Contains('@', StringComparison.Ordinal)) return null;
        ModelRevision version;
        try { version = ModelRevision.Parse(embeddingModel); }
        catch (Observatory.DataService.Core.Errors.UsageException) { return null; }
        return version.IsShortVersion ? $"{Path.GetFileName(version.Path.TrimEnd('/'))}@{version.Revision}" : version.Revision;
    }

    /// <summary>Deletes the model, its events and results, and resolves its open alerts (recorded as resolved by the deletion).</summary>
    public static async Task<Results<Ok<ModelDeletion>, ProblemHttpResult>> DeleteAsync(string name, IMonitoringStore store, JobScheduling scheduling, AlertService alerts,
        CancellationToken ct)
    {
        // The model goes first: an evaluation that starts after this finds no model and opens no alert.
        if (!await store.DeleteModelAsync(name, ct)) return Problems.NotFound($"model '{name}' is not registered");
        await scheduling.UnscheduleModelAsync(name, ct);
        return TypedResults.Ok(ModelDeletion.Of(name, await alerts.ResolveForDeletedModelAsync(name, ct)));
    }
}

/// <summary>The body of PUT /api/models/{name}; omitted fields take the defaults.</summary>
public sealed record ModelDefinition
{
    public string? Version { get; init; }
    public string? Stage { get; init; }
    /// <summary>The dataset version drift compares against; when omitted (and no <see cref="ReferenceUntil"/>), <see cref="TrainedOn"/>.</summary>
    public ReferenceDataset? Reference { get; init; }
    public DateTimeOffset? ReferenceUntil { get; init; }
    public int EmbeddingDimension { get; init; }
    public string? EmbeddingModel { get; init; }
    public ReferenceDataset? TrainedOn { get; init; }
    public IReadOnlyList<string>? Classes { get; init; }
    public double? BaselineAccuracy { get; init; }
    public IReadOnlyDictionary<string, double>? ClassBaselines { get; init; }
    public MetricsBaseline? BaselineFrom { get; init; }
    public string? Schedule { get; init; }
    public TimeSpan? Window { get; init; }
    public IReadOnlyList<string>? DriftMethods { get; init; }
    public IReadOnlyList<AlertRule>? AlertRules { get; init; }

    /// <summary>Days kept images are kept after the model's newest event naming them (1-3650); left out, for good.</summary>
    public int? ImageRetentionDays { get; init; }

    public MonitoredModel ToModel(string name, DateTimeOffset createdAt, DateTimeOffset updatedAt)
    {
        var defaults = new MonitoredModel { Name = name, Classes = [] };
        return defaults with
        {
            Version = Version ?? defaults.Version,
            Stage = string.IsNullOrWhiteSpace(Stage) ? null : Stage.Trim().ToLowerInvariant(),
            // A model trained on a dataset version is compared with it unless told otherwise: registering the retrained
            // version (trainedOn the next dataset version) moves the reference with it.
            Reference = Reference ?? (ReferenceUntil is null ? TrainedOn : null),
            ReferenceUntil = ReferenceUntil,
            EmbeddingDimension = EmbeddingDimension,
            EmbeddingModel = string.IsNullOrWhiteSpace(EmbeddingModel) ? null : EmbeddingModel.Trim(),
            TrainedOn = TrainedOn,
            Classes = Classes ?? [],
            BaselineAccuracy = BaselineAccuracy,
            ClassBaselines = ClassBaselines,
            BaselineFrom = BaselineFrom,
            Schedule = Schedule ?? defaults.Schedule,
            Window = Window ?? defaults.Window,
            DriftMethods = DriftMethods ?? defaults.DriftMethods,
            AlertRules = AlertRules ?? defaults.AlertRules,
            ImageRetentionDays = ImageRetentionDays,
            CreatedAt = createdAt,
            UpdatedAt = updatedAt,
        };
    }
}
