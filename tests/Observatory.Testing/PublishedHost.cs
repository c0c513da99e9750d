using System.Diagnostics;
using System.Text;
using System.Text.Json.Nodes;

namespace Observatory.Testing;

/// <summary>
/// A host as users run it: `dotnet publish` of its project into a temp folder, then `dotnet X.dll` started from another
/// (foreign) working directory on a free loopback port set in the published appsettings.json (so answering on it proves the
/// app read its own configuration). Killed with its process tree and both folders deleted on dispose.
/// </summary>
public sealed class PublishedHost : IAsyncDisposable
{
    private readonly TempDirectory _app;
    private readonly TempDirectory _work;
    private readonly Process _process;
    private readonly StringBuilder _log = new();

    public Uri BaseAddress { get; }
    /// <summary>The publish folder (the app's own folder).</summary>
    public string AppPath => _app.Path;
    /// <summary>The working directory the app was started in.</summary>
    public string WorkingDirectory => _work.Path;
    public string Log { get { lock (_log) return _log.ToString(); } }

    private PublishedHost(TempDirectory app, TempDirectory work, Process process, Uri baseAddress)
    {
        (_app, _work, _process, BaseAddress) = (app, work, process, baseAddress);
    }

    /// <param name="project">The project folder relative to the repository root, e.g. Dashboard/Observatory.Dashboard.</param>
    /// <param name="settings">Keys (section:key) written into the published appsettings.json besides Urls.</param>
    /// <param name="prepareWorkingDirectory">Fills the working directory before the start (e.g. a folder a relative setting names).</param>
    public static async Task<PublishedHost> StartAsync(string project, IReadOnlyDictionary<string, string>? settings = null,
        Action<string>? prepareWorkingDirectory = null, CancellationToken ct = default)
    {
        var app = new TempDirectory("publish");
        var work = new TempDirectory("cwd");
        try
        {
            var name = System.IO.Path.GetFileName(project);
            // Debug and no restore: the test build already restored and compiled the project, so publish only copies.
            await RunAsync(RepoLocator.Root, ["publish", System.IO.Path.Combine(RepoLocator.Root, project), "-c", "Debug", "--no-restore", "-o", app.Path, "-nologo", "-v", "q", "--disable-build-servers"], ct);

            var port = Ports.Free();
            var url = $"http://127.0.0.1:{port}";
            var appsettings = app.Combine("appsettings.json");
            var json = JsonNode.Parse(await File.ReadAllTextAsync(appsettings, ct))!.AsObject();
            json["Urls"] = url;
            foreach (var (key, value) in settings ?? new Dictionary<string, string>())
            {
                var parts = key.Split(':');
                var node = json;
                foreach (var part in parts[..^1]) node = (node[part] ??= new JsonObject()).AsObject();
                node[parts[^1]] = value;
            }
            await File.WriteAllTextAsync(appsettings, json.ToJsonString(), ct);

            prepareWorkingDirectory?.Invoke(work.Path);
            var psi = new ProcessStartInfo("dotnet") { WorkingDirectory = work.Path, RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
            psi.ArgumentList.Add(app.Combine(name + ".dll"));
            Clean(psi);
            // Production, as published: static assets must come from the publish folder, not a build manifest.
            psi.Environment.Remove("ASPNETCORE_ENVIRONMENT");
            psi.Environment.Remove("DOTNET_ENVIRONMENT");
            psi.Environment.Remove("ASPNETCORE_URLS");
            psi.Environment.Remove("ASPNETCORE_CONTENTROOT");
            psi.Environment.Remove("DOTNET_CONTENTROOT");
            var process = Process.Start(psi)!;
            var host = new PublishedHost(app, work, process, new Uri(url + "/"));
            process.OutputDataReceived += (_, e) => { if (e.Data is not null) lock (host._log) host._log.AppendLine(e.Data); };
            process.ErrorDataReceived += (_, e) => { if (e.Data is not null) lock (host._log) host._log.AppendLine(e.Data); };
            process.BeginOutputReadLine();
            process.BeginErrorReadLine();
            await host.WaitHealthyAsync(ct);
            return host;
        }
        catch
        {
            app.Dispose();
            work.Dispose();
            throw;
        }
    }

    private async Task WaitHealthyAsync(CancellationToken ct)
    {
        using var http = new HttpClient { BaseAddress = BaseAddress, Timeout = TimeSpan.FromSeconds(5) };
        var deadline = DateTime.UtcNow.AddSeconds(90);
        while (true)
        {
            if (_process.HasExited)
            {
                await _process.WaitForExitAsync(ct);
                await DisposeAsync();
                throw new InvalidOperationException($"{BaseAddress} exited with {_process.ExitCode} (not started on the port of its published appsettings.json?):\n{Log}");
            }
            try
            {
                using var r = await http.GetAsync("healthz", ct);
                if (r.IsSuccessStatusCode) return;
            }
            catch (HttpRequestException) { }
            catch (TaskCanceledException) when (!ct.IsCancellationRequested) { }
            if (DateTime.UtcNow > deadline)
            {
                var log = Log;
                await DisposeAsync();
                throw new TimeoutException($"nothing answered /healthz on {BaseAddress}, the port of its published appsettings.json:\n{log}");
            }
            await Task.Delay(200, ct);
        }
    }

    private static void Clean(ProcessStartInfo psi)
    {
        // The test host's MSBuild variables would steer a child build at the test's own SDK resolution.
        foreach (var key in psi.Environment.Keys.Where(k => k.StartsWith("MSBUILD", StringComparison.OrdinalIgnoreCase)).ToList()) psi.Environment.Remove(key);
        psi.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
        psi.Environment["DOTNET_NOLOGO"] = "1";
        // No build server or MSBuild node may outlive the publish: it would keep the caller's inherited handles (a build lock) open.
        psi.Environment["MSBUILDDISABLENODEREUSE"] = "1";
        psi.Environment["UseSharedCompilation"] = "false";
        psi.Environment["DOTNET_CLI_USE_MSBUILD_SERVER"] = "0";
    }

    private static async Task RunAsync(string workingDirectory, IEnumerable<string> args, CancellationToken ct)
    {
        var psi = new ProcessStartInfo("dotnet") { WorkingDirectory = workingDirectory, RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var a in args) psi.ArgumentList.Add(a);
        Clean(psi);
        using var process = Process.Start(psi)!;
        var stdout = process.StandardOutput.ReadToEndAsync(ct);
        var stderr = process.StandardError.ReadToEndAsync(ct);
        using var cts = CancellationTokenSource.CreateLinkedTokenSource(ct);
        cts.CancelAfter(TimeSpan.FromMinutes(10));
        try { await process.WaitForExitAsync(cts.Token); }
        catch (OperationCanceledException) { process.Kill(entireProcessTree: true); throw; }
        if (process.ExitCode != 0)
            throw new InvalidOperationException($"dotnet {string.Join(' ', psi.ArgumentList)} exited {process.ExitCode}\n{await stdout}\n{await stderr}");
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
        _app.Dispose();
        _work.Dispose();
    }
}
