using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Observatory.Monitoring.Api.Tests;

/// <summary>The Monitoring service as a real child process (dotnet Observatory.Monitoring.Api.dll) on 127.0.0.1 and a free port.</summary>
public sealed class ServiceProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly StringBuilder _output = new();

    private ServiceProcess(Process process, int port)
    {
        _process = process;
        Port = port;
        Client = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}"), Timeout = TimeSpan.FromSeconds(30) };
        Client.DefaultRequestHeaders.Add("X-Api-Key", MonitoringServer.ApiKey);
    }

    public int Port { get; }
    public HttpClient Client { get; }
    public string Output { get { lock (_output) return _output.ToString(); } }

    public static async Task<ServiceProcess> StartAsync(IDictionary<string, string> settings)
    {
        var dll = Path.Combine(AppContext.BaseDirectory, "Observatory.Monitoring.Api.dll");
        if (!File.Exists(dll)) throw new InvalidOperationException($"{dll} not found; build tests/Observatory.Monitoring.Api.Tests");
        var port = FreePort();
        var psi = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false, WorkingDirectory = AppContext.BaseDirectory };
        psi.ArgumentList.Add(dll);
        psi.ArgumentList.Add($"--urls=http://127.0.0.1:{port}");
        psi.ArgumentList.Add($"--Monitoring:ApiKey={MonitoringServer.ApiKey}");
        foreach (var (k, v) in settings) psi.ArgumentList.Add($"--{k}={v}");
        psi.Environment["ASPNETCORE_ENVIRONMENT"] = "Production";
        var process = Process.Start(psi)!;
        var sp = new ServiceProcess(process, port);
        process.OutputDataReceived += (_, e) => { lock (sp._output) sp._output.AppendLine(e.Data); };
        process.ErrorDataReceived += (_, e) => { lock (sp._output) sp._output.AppendLine(e.Data); };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        await Poll.UntilAsync(async () =>
        {
            if (process.HasExited) Assert.Fail($"service exited with {process.ExitCode}: {sp.Output}");
            try { return (await sp.Client.GetAsync("/healthz")).IsSuccessStatusCode; }
            catch (HttpRequestException) { return false; }
        }, "service /healthz", 90);
        return sp;
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
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync();
        }
        _process.Dispose();
    }

    private static int FreePort()
    {
        var l = new TcpListener(IPAddress.Loopback, 0);
        l.Start();
        var port = ((IPEndPoint)l.LocalEndpoint).Port;
        l.Stop();
        return port;
    }
}
