using System.Text.Json;
using System.Text.Json.Serialization;
using Observatory.DataService.Core.Queries;
using Observatory.DataService.Core.Workspace;
using Observatory.DataService.Git;
using Observatory.DataService.Storage;

namespace Observatory.DataService.Api;

/// <summary>Options of the Data HTTP API (section <c>DataService</c>).</summary>
public sealed record DataServiceOptions
{
    public const string Section = "DataService";
    /// <summary>The git work tree holding the `obs` datasets.</summary>
    public string RepositoryPath { get; init; } = ".";
}

/// <summary>The composition root of the Data HTTP API; tests build it in-process with their own configuration.</summary>
public static class DataServiceApp
{
    public static WebApplication Build(string[] args, Action<WebApplicationBuilder>? configure = null)
    {
        var builder = WebApplication.CreateBuilder(args);
        configure?.Invoke(builder);
        var options = builder.Configuration.GetSection(DataServiceOptions.Section).Get<DataServiceOptions>() ?? new DataServiceOptions();
        builder.Services.AddSingleton(options);
        builder.Services.AddSingleton(_ => new DatasetCatalog(Path.GetFullPath(options.RepositoryPath), ReadOnlyEnvironment()));
        builder.Services.AddProblemDetails();
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
        app.UseExceptionHandler();
        app.UseStatusCodePages();
        app.MapOpenApi();
        app.MapGet("/healthz", () => Results.Ok(new { status = "ok" })).ExcludeFromDescription();
        app.MapDatasetsApi();
        return app;
    }

    /// <summary>The CLI's adapters; the API only reads, so the stat cache is never opened in practice.</summary>
    public static ObsEnvironment ReadOnlyEnvironment() =>
        new(path => LibGit2VersionControl.Discover(path), path => new SqliteStatCache(path), TimeProvider.System);
}
