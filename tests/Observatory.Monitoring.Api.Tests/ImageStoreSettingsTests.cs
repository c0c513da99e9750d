using Microsoft.Extensions.Configuration;
using Observatory.DataService.Core.Errors;
using Observatory.DataService.Storage;
using Observatory.Monitoring.Api.Infrastructure;
using Observatory.Testing;

namespace Observatory.Monitoring.Api.Tests;

/// <summary>
/// appsettings.json lists every Monitoring:ImageStore key (compose sets them by environment variable, and a test requires each
/// to be a key there) with empty values; those must read as unset, so an S3 store still takes its endpoint and credentials
/// from the OBS_S3_*/AWS_* variables as `obs` does.
/// </summary>
public sealed class ImageStoreSettingsTests
{
    private static MonitoringOptions FromAppSettings(Dictionary<string, string?>? overrides = null)
    {
        var configuration = new ConfigurationBuilder()
            .AddJsonFile(Path.Combine(RepoLocator.Root, "Monitoring", "Observatory.Monitoring.Api", "appsettings.json"))
            .AddInMemoryCollection(overrides ?? [])
            .Build();
        return configuration.GetSection("Monitoring").Get<MonitoringOptions>()!;
    }

    [Fact]
    public void AppSettings_KeepImagesInAFolder_WithNoEndpointOrCredentialsOfItsOwn()
    {
        var store = FromAppSettings().EffectiveImageStore();

        Assert.Equal("images", store.Url);
        Assert.Null(store.Endpoint);
        Assert.Null(store.Region);
        Assert.Null(store.UseSsl);
        Assert.Null(store.AccessKey);
        Assert.Null(store.SecretKey);
    }

    [Fact]
    public void AnS3Store_WithTheEmptyKeysOfAppSettings_TakesItsCredentialsFromTheEnvironment()
    {
        var options = FromAppSettings(new() { ["Monitoring:ImageStore:Url"] = "s3://datasets/production-images" });
        var environment = new Dictionary<string, string?>
        {
            ["OBS_S3_ENDPOINT"] = "http://127.0.0.1:9",
            ["OBS_S3_ACCESS_KEY"] = "access",
            ["OBS_S3_SECRET_KEY"] = "secret",
        };
        var factory = new RemoteStoreFactory(name => environment.GetValueOrDefault(name));

        // Read as given, the empty keys would be credentials of their own and hide the environment's.
        var raw = Assert.Throws<UsageException>(() => factory.Open("images", options.ImageStore, Path.GetTempPath()));
        Assert.Contains("no credentials", raw.Message, StringComparison.Ordinal);

        var store = factory.Open("images", options.EffectiveImageStore(), Path.GetTempPath());
        Assert.IsType<S3Remote>(store);
    }

    [Fact]
    public void Settings_GivenByEnvironmentVariables_AreUsedAsGiven()
    {
        var store = FromAppSettings(new()
        {
            ["Monitoring:ImageStore:Url"] = "s3://datasets/production-images",
            ["Monitoring:ImageStore:Endpoint"] = "http://minio:9000",
            ["Monitoring:ImageStore:UseSsl"] = "false",
            ["Monitoring:ImageStore:AccessKey"] = "observatory",
            ["Monitoring:ImageStore:SecretKey"] = "s3cret",
        }).EffectiveImageStore();

        Assert.Equal(("s3://datasets/production-images", "http://minio:9000", false, "observatory", "s3cret"),
            (store.Url, store.Endpoint, store.UseSsl, store.AccessKey, store.SecretKey));
    }
}
