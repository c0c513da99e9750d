using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

namespace Observatory.Bench;

/// <summary>The Monitoring service as a separate process on loopback, and a throwaway PostgreSQL cluster, for the monitoring benchmarks.</summary>
internal sealed class MonitoringBenchHost : IAsyncDisposable
{
    public const string ApiKey = "bench-key";
    private readonly Process _process;

    private MonitoringBenchHost(Process process, int port)
    {
        _process = process;
        Client = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}"), Timeout = TimeSpan.FromMinutes(5) };
        Client.DefaultRequestHeaders.Add("X-Api-Key", ApiKey);
    }

    public HttpClient Client { get; }

    public static async Task<MonitoringBenchHost> StartAsync(IDictionary<string, string> settings, CancellationToken ct)
    {
        var dll = Path.Combine(AppContext.BaseDirectory, "Observatory.Monitoring.Api.dll");
        var port = FreePort();
        var psi = new ProcessStartInfo("dotnet") { UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true, WorkingDirectory = AppContext.BaseDirectory };
        psi.ArgumentList.Add(dll);
        psi.ArgumentList.Add($"--urls=http://127.0.0.1:{port}");
        psi.ArgumentList.Add($"--Monitoring:ApiKey={ApiKey}");
        psi.ArgumentList.Add("--Logging:LogLevel:Default=Warning");
        foreach (var (k, v) in settings) psi.ArgumentList.Add($"--{k}={v}");
        var p = Process.Start(psi)!;
        p.OutputDataReceived += (_, _) => { };
        p.ErrorDataReceived += (_, e) => { if (e.Data is { Length: > 0 }) Console.Error.WriteLine("[service] " + e.Data); };
        p.BeginOutputReadLine();
        p.BeginErrorReadLine();
        var host = new MonitoringBenchHost(p, port);
        var sw = Stopwatch.StartNew();
        while (sw.Elapsed < TimeSpan.FromSeconds(90))
        {
            if (p.HasExited) throw new InvalidOperationException($"service exited with {p.ExitCode}");
            try { if ((await host.Client.GetAsync("/healthz", ct)).IsSuccessStatusCode) return host; }
            catch (HttpRequestException) { }
            await Task.Delay(100, ct);
        }
        throw new TimeoutException("service did not become healthy in 90 s");
    }

    public async ValueTask DisposeAsync()
    {
        Client.Dispose();
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync();
        }
        _process.Dispose();
    }

    public static int FreePort()
    {
        var l = new TcpListener(IPAddress.Loopback, 0);
        l.Start();
        var port = ((IPEndPoint)l.LocalEndpoint).Port;
        l.Stop();
        return port;
    }
}

/// <summary>initdb + pg_ctl in a temp folder (as user postgres when run as root), fsync off; stopped and removed on dispose.</summary>
internal sealed class BenchPostgres : IAsyncDisposable
{
    private const string Bin = "/usr/lib/postgresql/15/bin";
    private readonly string _dir = Directory.CreateTempSubdirectory("obs-bench-pg-").FullName;
    private readonly int _port = MonitoringBenchHost.FreePort();

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
