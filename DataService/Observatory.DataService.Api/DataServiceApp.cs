using System.Text.Json;
using System.Text.Json.Serialization;
using Observatory.DataService.Core.Queries;
using Observatory.DataService.Core.Workspace;
using Observatory.DataService.Storage;
using Observatory.ServiceDefaults;
using Microsoft.Extensions.Options;

namespace Observatory.DataService.Api;

/// <summary>Options of the Data HTTP API (section <c>DataService</c>).</summary>
public sealed record DataServiceOptions
{
    public const string Section = "DataService";
    /// <summary>The git work tree holding the `obs` datasets.</summary>
    public string RepositoryPath { get; init; } = ".";

    /// <summary>
    /// Sent by callers in header X-Api-Key. When set, every endpoint but /healthz needs it; when empty, the API answers only
    /// while bound to loopback (bound beyond, everything but /healthz is refused until a key is set).
    /// </summary>
    public string? ApiKey { get; init; }
}

/// <summary>The composition root of the Data HTTP API; tests build it in-process with their own configuration.</summary>
public static class DataServiceApp
{
    public static WebApplication Build(string[] args, Action<WebApplicationBuilder>? configure = null)
    {
        var builder = AppFolder.CreateBuilder(args);
        configure?.Invoke(builder);
        builder.Services.AddOptions<DataServiceOptions>().BindConfiguration(DataServiceOptions.Section)
            .Validate(o => !string.IsNullOrWhiteSpace(o.RepositoryPath), "DataService:RepositoryPath is empty; set it to the git work tree that holds the obs datasets")
            .Validate(o => string.IsNullOrWhiteSpace(o.RepositoryPath) || Directory.Exists(o.RepositoryPath),
                "DataService:RepositoryPath names no directory; set it to the git work tree that holds the obs datasets (run 'obs init' there first)")
            .ValidateOnStart();
        builder.Services.AddSingleton(sp => sp.GetRequiredService<IOptions<DataServiceOptions>>().Value);
        builder.Services.AddSingleton(sp => new DatasetCatalog(Path.GetFullPath(sp.GetRequiredService<DataServiceOptions>().RepositoryPath),
            ReadOnlyEnvironment(sp.GetRequiredService<TimeProvider>())));
        builder.AddServiceDefaults(o => o.ApiKeys = sp => new ApiKeys(sp.GetRequiredService<DataServiceOptions>().ApiKey, null, "DataService:ApiKey"));
        builder.Services.ConfigureHttpJsonOptions(o =>
        {
            o.SerializerOptions.PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower;
            o.SerializerOptions.DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull;
        });
        builder.Services.AddOpenApi(o => o.AddDocumentTransformer((doc, _, _) =>
        {
            doc.Info.Title = "Observatory Data API";
            doc.Info.Description = "Read-only JSON over an obs dataset repository: datasets, versions, files, diff, validation report, class balance, objects.";
            doc.Servers?.Clear();
            return Task.CompletedTask;
        }));

        var app = builder.Build();
        app.MapServiceDefaults();
        app.MapOpenApi();
        app.MapDatasetsApi();
        return app;
    }

    /// <summary>The shared adapters (<see cref="ObsEnvironments"/>); the API only reads, so the stat cache is never opened in practice.</summary>
    public static ObsEnvironment ReadOnlyEnvironment(TimeProvider? time = null) => ObsEnvironments.Create(time ?? TimeProvider.System);
}
