using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;
using Observatory.Testing;

namespace Observatory.Dashboard.Tests;

/// <summary>
/// The real dashboard as its own process (`dotnet Observatory.Dashboard.dll`, Development environment so static web assets come
/// from the build manifest) bound to one address, over a given repository. Killed with its process tree on dispose.
/// </summary>
public sealed class DashboardServer : IAsyncDisposable
{
    public const string User = "ada";
    public const string Password = "correct horse battery staple";

    private readonly Process _process;
    private readonly StringBuilder _log = new();

    public Uri BaseAddress { get; }
    public string Log { get { lock (_log) return _log.ToString(); } }

    private DashboardServer(Process process, Uri baseAddress)
    {
        _process = process;
        BaseAddress = baseAddress;
    }

    public static async Task<DashboardServer> StartAsync(string repositoryPath, IPAddress? address = null, IReadOnlyDictionary<string, string>? environment = null)
    {
        address ??= IPAddress.Loopback;
        var port = Ports.Free(address);
        var project = Path.Combine(RepoLocator.Root, "Dashboard", "Observatory.Dashboard");
        // The dashboard's own build output (its static web asset manifests live there), same configuration as this test build.
        var configuration = new DirectoryInfo(Path.TrimEndingDirectorySeparator(AppContext.BaseDirectory)).Parent!.Name;
        var dll = Path.Combine(project, "bin", configuration, "net10.0", "Observatory.Dashboard.dll");
        var host = address.AddressFamily == AddressFamily.InterNetworkV6 ? $"[{address}]" : address.ToString();
        var url = $"http://{host}:{port}";
        var psi = new ProcessStartInfo("dotnet") { WorkingDirectory = project, RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var a in new[] { dll, "--urls", url, "--contentRoot", project }) psi.ArgumentList.Add(a);
        psi.Environment["ASPNETCORE_ENVIRONMENT"] = "Development";
        psi.Environment["Dashboard__RepositoryPath"] = repositoryPath;
        psi.Environment["Dashboard__Users__0__Name"] = User;
        psi.Environment["Dashboard__Users__0__PasswordHash"] = Security.LoginPolicy.Hash(Password);
        psi.Environment["Logging__LogLevel__Default"] = "Warning";
        foreach (var (k, v) in environment ?? new Dictionary<string, string>()) psi.Environment[k] = v;
        var process = Process.Start(psi)!;
        var server = new DashboardServer(process, new Uri(url + "/"));
        process.OutputDataReceived += (_, e) => { if (e.Data is not null) lock (server._log) server._log.AppendLine(e.Data); };
        process.ErrorDataReceived += (_, e) => { if (e.Data is not null) lock (server._log) server._log.AppendLine(e.Data); };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();

        using var http = new HttpClient { BaseAddress = server.BaseAddress, Timeout = TimeSpan.FromSeconds(5) };
        var deadline = DateTime.UtcNow.AddSeconds(90);
        while (true)
        {
            if (process.HasExited)
            {
                // Waits for the end of its output too: a process that failed at start-up has written why, and the log must hold it.
                await process.WaitForExitAsync();
                throw new InvalidOperationException($"the dashboard exited with {process.ExitCode}:\n{server.Log}");
            }
            try
            {
                using var r = await http.GetAsync("healthz");
                if (r.IsSuccessStatusCode) return server;
            }
            catch (HttpRequestException) { }
            catch (TaskCanceledException) { }
            if (DateTime.UtcNow > deadline) { await server.DisposeAsync(); throw new TimeoutException($"the dashboard did not answer on {url}:\n{server.Log}"); }
            await Task.Delay(200);
        }
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            if (!_process.HasExited)
            {
                _process.Kill(entireProcessTree: true);
                await _process.WaitForExitAsync();
            }
        }
        catch (InvalidOperationException) { }
        _process.Dispose();
    }
}
