using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Observatory.Monitoring.Core.Images;
using Observatory.Monitoring.Core.Ports;

namespace Observatory.Monitoring.Adapters;

/// <summary>What the host decides for the adapters: the decode limits of every image and where reference embeddings live.</summary>
public sealed record MonitoringAdapterSettings(ImageDecodeLimits ImageLimits, ReferenceDatasetsSettings References)
{
    /// <summary>Where uploaded images are kept (a folder relative to the working directory, or an S3 bucket); null keeps none.</summary>
    public Observatory.DataService.Core.Config.RemoteConfig? ImageStore { get; init; }
}

/// <summary>The composition of Monitoring.Core's ports, chosen once at start-up: the encoder from "Monitoring:Encoder".</summary>
public static class MonitoringAdapters
{
    /// <summary>
    /// Registers <see cref="IImageEmbedder"/> (one encoder for uploads and references, one run at a time) and
    /// <see cref="IReferenceDatasets"/>. The encoder options are validated when the host starts.
    /// </summary>
    /// <param name="settings">Made once, when the first adapter is (from the host's own options, validated by then).</param>
    public static IServiceCollection AddMonitoringAdapters(this IServiceCollection services, IConfiguration configuration,
        Func<IServiceProvider, MonitoringAdapterSettings> settings)
    {
        services.AddOptions<EncoderOptions>().Bind(configuration.GetSection(EncoderOptions.Section)).ValidateOnStart();
        services.AddSingleton<IValidateOptions<EncoderOptions>>(new EncoderOptionsValidator());
        services.AddSingleton(settings);
        services.AddSingleton<IImageEmbedder>(sp => new OneAtATimeEmbedder(new OnnxImageEmbedder(
            sp.GetRequiredService<IOptions<EncoderOptions>>().Value.ToModelOptions(),
            sp.GetRequiredService<MonitoringAdapterSettings>().ImageLimits)));
        services.AddSingleton<IModelEncoders>(sp => new ModelEncoders(sp.GetRequiredService<IImageEmbedder>(),
            sp.GetRequiredService<MonitoringAdapterSettings>().ImageLimits, sp.GetRequiredService<TimeProvider>()));
        services.AddSingleton<IImageArchive>(sp => sp.GetRequiredService<MonitoringAdapterSettings>().ImageStore is { Url: { Length: > 0 } } store
            ? new RemoteImageArchive(store, Directory.GetCurrentDirectory(), new Observatory.DataService.Storage.RemoteStoreFactory())
            : NoImageArchive.Instance);
        services.AddSingleton<IModelMetrics>(sp => new RegistryMetrics(sp.GetRequiredService<TimeProvider>()));
        services.AddSingleton<IReferenceDatasets>(sp => new DatasetReferences(sp.GetRequiredService<IImageEmbedder>(),
            sp.GetRequiredService<MonitoringAdapterSettings>().References, sp.GetRequiredService<TimeProvider>(),
            sp.GetRequiredService<ILogger<DatasetReferences>>()));
        services.AddSingleton<IImageHolds>(sp => new DatasetImageHolds(sp.GetRequiredService<IReferenceDatasets>(), sp.GetRequiredService<TimeProvider>()));
        return services;
    }

    /// <summary>Fails start-up with the message naming the field and the section.</summary>
    private sealed class EncoderOptionsValidator : IValidateOptions<EncoderOptions>
    {
        public ValidateOptionsResult Validate(string? name, EncoderOptions options) =>
            options.Refuse() is { } why ? ValidateOptionsResult.Fail(why) : ValidateOptionsResult.Success;
    }
}

/// <summary>A host configured to keep no images: nothing is kept, and no hash is known.</summary>
internal sealed class NoImageArchive : IImageArchive
{
    public static readonly NoImageArchive Instance = new();

    public string DisplayUrl => "(no image store)";

    public Task KeepAsync(string sha256, ReadOnlyMemory<byte> image, CancellationToken cancellationToken) => Task.CompletedTask;

    public Task<bool> ContainsAsync(string sha256, CancellationToken cancellationToken) => Task.FromResult(false);

    public Task DeleteAsync(string sha256, CancellationToken cancellationToken) => Task.CompletedTask;

    public Task<byte[]?> ReadAsync(string sha256, long maxBytes, CancellationToken cancellationToken) => Task.FromResult<byte[]?>(null);

    public Task<Uri?> PresignReadAsync(string sha256, TimeSpan expiry, CancellationToken cancellationToken) => Task.FromResult<Uri?>(null);
}
