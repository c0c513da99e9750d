using System.Diagnostics;
using Observatory.Testing;

namespace Observatory.Bench;

/// <summary>The Monitoring service as a separate process on loopback (Observatory.Testing's runner), for the monitoring benchmarks.</summary>
internal static class MonitoringBenchHost
{
    public const string ApiKey = "bench-key";

    public static Task<MonitoringProcess> StartAsync(IDictionary<string, string> settings, CancellationToken ct) =>
        MonitoringProcess.StartAsync(AppContext.BaseDirectory, settings.Prepend(new("Logging:LogLevel:Default", "Warning")), new MonitoringProcessOptions
        {
            ApiKey = ApiKey,
            ClientTimeout = TimeSpan.FromMinutes(5),
            OnError = line => Console.Error.WriteLine("[service] " + line),
        }, ct);

}

/// <summary>initdb + pg_ctl in a temp folder (as user postgres when run as root), fsync off; stopped and removed on dispose.</summary>
internal sealed class BenchPostgres : IAsyncDisposable
{
    private const string Bin = "/usr/lib/postgresql/15/bin";
    private readonly string _dir = Directory.CreateTempSubdirectory("obs-bench-pg-").FullName;
    private readonly int _port = Ports.Free();

    public string ConnectionString => $"Host=127.0.0.1;Port={_port};Username=postgres;Database=postgres;Maximum Pool Size=50";

    public async Task StartAsync()
    {
        if (!File.Exists(Path.Combine(Bin, "initdb"))) throw new InvalidOperationException($"PostgreSQL not found in {Bin}; run 'bash scripts/setup-test-deps.sh'");
        if (Environment.UserName == "root") await RunAsync("chown", "-R", "postgres", _dir);
        await AsPostgres($"{Bin}/initdb -D '{_dir}/data' -A trust -U postgres -E UTF8 --no-sync");
        await AsPostgres($"{Bin}/pg_ctl -D '{_dir}/data' -o \"-p {_port} -k '{_dir}' -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off\" -l '{_dir}/pg.log' -w start");
    }

    public async ValueTask DisposeAsync()
    {
        try { await AsPostgres($"{Bin}/pg_ctl -D '{_dir}/data' -m immediate -w stop"); } catch (InvalidOperationException) { }
        try { Directory.Delete(_dir, true); } catch (IOException) { } catch (UnauthorizedAccessException) { }
    }

    private static Task AsPostgres(string cmd) => Environment.UserName == "root" ? RunAsync("su", "postgres", "-c", cmd) : RunAsync("/bin/sh", "-c", cmd);

    private static async Task RunAsync(string file, params string[] args)
    {
        var psi = new ProcessStartInfo(file) { UseShellExecute = false, RedirectStandardError = true, RedirectStandardOutput = true };
        foreach (var a in args) psi.ArgumentList.Add(a);
        using var p = Process.Start(psi)!;
        var err = p.StandardError.ReadToEndAsync();
        _ = p.StandardOutput.ReadToEndAsync();
        await p.WaitForExitAsync();
        if (p.ExitCode != 0) throw new InvalidOperationException($"{file} failed: {await err}");
    }
}
