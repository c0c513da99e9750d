using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Serialization;
using Observatory.DataService.Core.Ports;
using Observatory.DataService.Core.Workspace;
using Observatory.DataService.Storage;

namespace Observatory.Cli;

/// <summary>The composition root of `obs`: which adapters back the Core operations, and the shared output conventions.</summary>
public static class CliEnvironment
{
    public static ObsEnvironment Create(IOperationProgress? progress = null) =>
        ObsEnvironments.Create(TimeProvider.System, progress, RegistryCacheDirectory) with
        {
            LockTimeout = TimeSpan.FromSeconds(ReadSeconds("OBS_LOCK_TIMEOUT", 30)),
        };

    /// <summary>Bare clones of URL registries, reused and fetched by later `get`/`import` calls.</summary>
    public static string RegistryCacheDirectory =>
        Path.Combine(Environment.GetEnvironmentVariable("XDG_CACHE_HOME") is { Length: > 0 } x ? x : Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".cache"), "obs", "registries");

    public static ObsRepository OpenRepository(IOperationProgress? progress = null) =>
        ObsRepository.Open(Directory.GetCurrentDirectory(), Create(progress));

    public static readonly JsonSerializerOptions Json = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        WriteIndented = true,
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
        Converters = { new JsonStringEnumConverter(JsonNamingPolicy.SnakeCaseLower) },
    };

    public static void WriteJson<T>(T value) => Console.Out.WriteLine(JsonSerializer.Serialize(value, Json));

    private static double ReadSeconds(string variable, double fallback) =>
        double.TryParse(Environment.GetEnvironmentVariable(variable), System.Globalization.CultureInfo.InvariantCulture, out var v) ? v : fallback;
}
