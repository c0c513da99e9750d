using System.Diagnostics;
using System.Text;

namespace Observatory.Testing;

/// <summary>How <see cref="MonitoringProcess"/> starts the service and talks to it.</summary>
public sealed record MonitoringProcessOptions
{
    /// <summary>Passed as Monitoring:ApiKey and sent by <see cref="MonitoringProcess.Client"/> as X-Api-Key; empty: neither.</summary>
    public string ApiKey { get; init; } = "";

    public TimeSpan ClientTimeout { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>How long the service may take to answer /healthz (migrations, a loaded machine).</summary>
    public TimeSpan StartTimeout { get; init; } = TimeSpan.FromSeconds(90);

    /// <summary>Called with every non-empty line the service writes to stderr (a benchmark echoes them); all output is kept in <see cref="MonitoringProcess.Output"/> either way.</summary>
    public Action<string>? OnError { get; init; }
}

/// <summary>
/// The Monitoring service as a real child process (`dotnet Observatory.Monitoring.Api.dll` from a build output folder) on
/// 127.0.0.1 and a free port, Production environment, settings given as command-line configuration. Started when /healthz
/// answers; killed with its process tree on dispose. Shared by the API tests and the benchmarks.
/// </summary>
public sealed class MonitoringProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly StringBuilder _output = new();

    private MonitoringProcess(Process process, int port, MonitoringProcessOptions options)
    {
        _process = process;
        Port = port;
        Client = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}"), Timeout = options.ClientTimeout };
        if (options.ApiKey.Length > 0) Client.DefaultRequestHeaders.Add("X-Api-Key", options.ApiKey);
    }

    public int Port { get; }

    /// <summary>The service's process id (benchmarks read its memory from /proc).</summary>
    public int ProcessId => _process.Id;

    public HttpClient Client { get; }
    public string Output { get { lock (_output) return _output.ToString(); } }

    /// <param name="directory">The folder holding Observatory.Monitoring.Api.dll (a build output, or a folder it was copied into).</param>
    /// <param name="settings">Configuration keys (e.g. <c>ConnectionStrings:Monitoring</c>) and values, passed as <c>--key=value</c>.</param>
    public static async Task<MonitoringProcess> StartAsync(string directory, IEnumerable<KeyValuePair<string, string>> settings, MonitoringProcessOptions? options = null,
        CancellationToken cancellationToken = default)
    {
        options ??= new MonitoringProcessOptions();
        var dll = Path.Combine(directory, "Observatory.Monitoring.Api.dll");
        if (!File.Exists(dll)) throw new InvalidOperationException($"{dll} not found; build the project that references Observatory.Monitoring.Api");
        var port = Ports.Free();
        var psi = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false, WorkingDirectory = directory };
        psi.ArgumentList.Add(dll);
        psi.ArgumentList.Add($"--urls=http://127.0.0.1:{port}");
        if (options.ApiKey.Length > 0) psi.ArgumentList.Add($"--Monitoring:ApiKey={options.ApiKey}");
        foreach (var (k, v) in settings) psi.ArgumentList.Add($"--{k}={v}");
        psi.Environment["ASPNETCORE_ENVIRONMENT"] = "Production";
        var process = Process.Start(psi)!;
        var service = new MonitoringProcess(process, port, options);
        process.OutputDataReceived += (_, e) => { if (e.Data is not null) lock (service._output) service._output.AppendLine(e.Data); };
        process.ErrorDataReceived += (_, e) =>
        {
            if (e.Data is null) return;
            lock (service._output) service._output.AppendLine(e.Data);
            if (e.Data.Length > 0) options.OnError?.Invoke(e.Data);
        };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();

        var deadline = DateTime.UtcNow + options.StartTimeout;
        try
        {
            while (true)
            {
                if (process.HasExited) throw new InvalidOperationException($"the monitoring service exited with {process.ExitCode}:\n{service.Output}");
                try
                {
                    using var r = await service.Client.GetAsync("/healthz", cancellationToken);
                    if (r.IsSuccessStatusCode) return service;
                }
                catch (HttpRequestException) { }
                if (DateTime.UtcNow > deadline) throw new TimeoutException($"the monitoring service did not answer /healthz in {options.StartTimeout.TotalSeconds:0} s:\n{service.Output}");
                await Task.Delay(100, cancellationToken);
            }
        }
        catch
        {
            await service.DisposeAsync();
            throw;
        }
    }

    /// <summary>SIGKILL: no shutdown hooks run, as in a crash.</summary>
    public async Task KillAsync()
    {
        if (_process.HasExited) return;
        _process.Kill(entireProcessTree: true);
        await _process.WaitForExitAsync();
    }

    public async ValueTask DisposeAsync()
    {
        Client.Dispose();
        await KillAsync();
        _process.Dispose();
    }

}
