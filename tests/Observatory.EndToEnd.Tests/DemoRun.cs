using System.Diagnostics;
using System.Text;
using LibGit2Sharp;
using Observatory.Testing;

namespace Observatory.EndToEnd.Tests;

/// <summary>
/// scripts/demo-monitoring.sh run headless as a user would run it, but on free ports, against a copy of data-registry/ in a
/// temp git repository, with its work folder in temp and this test build's outputs: nothing is written into the checkout.
/// The script runs in its own process group (setsid) and keeps its services up after printing the dashboard URL
/// (OBS_DEMO_KEEP_RUNNING=1); disposing stops the whole group, whatever state the run is in.
/// </summary>
public sealed class DemoRun : IAsyncDisposable
{
    private readonly TempDirectory _dir;
    private readonly Process _process;
    private readonly int? _group;
    private readonly StringBuilder _output = new();
    private readonly TaskCompletionSource<Uri> _dashboard = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public string Work { get; }
    public string Registry { get; }
    public Uri Monitoring { get; }
    public int? ProcessGroupId => _group;
    public string Output { get { lock (_output) return _output.ToString(); } }

    private DemoRun(TempDirectory dir, Process process, string work, string registry, Uri monitoring)
    {
        _dir = dir;
        _process = process;
        // setsid makes the group between fork and exec: wait for it, briefly.
        var deadline = DateTime.UtcNow.AddSeconds(5);
        while ((_group = ProcessGroup.LedBy(process.Id)) is null && !process.HasExited && DateTime.UtcNow < deadline) Thread.Sleep(10);
        Work = work;
        Registry = registry;
        Monitoring = monitoring;
    }

    /// <param name="settings">Extra OBS_DEMO_* variables (window, event counts).</param>
    public static DemoRun Start(IReadOnlyDictionary<string, string> settings)
    {
        var dir = new TempDirectory("e2e");
        var registry = CopyRegistry(dir.Combine("repo"));
        var work = dir.Combine("work");
        var (monitoringPort, sinkPort, dashboardPort) = (Ports.Free(), Ports.Free(), Ports.Free());
        // The configuration of this test build (bin/<configuration>/net10.0): the referenced apps were built the same way.
        var configuration = new DirectoryInfo(Path.TrimEndingDirectorySeparator(AppContext.BaseDirectory)).Parent!.Name;

        var psi = new ProcessStartInfo("setsid") { WorkingDirectory = dir.Path, RedirectStandardOutput = true, RedirectStandardError = true, RedirectStandardInput = true, UseShellExecute = false };
        foreach (var a in new[] { "bash", Path.Combine(RepoLocator.Root, "scripts", "demo-monitoring.sh") }) psi.ArgumentList.Add(a);
        psi.Environment["OBS_DEMO_CONFIGURATION"] = configuration;
        psi.Environment["OBS_DEMO_WORK"] = work;
        psi.Environment["OBS_DEMO_REGISTRY"] = registry;
        psi.Environment["OBS_DEMO_MONITORING_PORT"] = monitoringPort.ToString(System.Globalization.CultureInfo.InvariantCulture);
        psi.Environment["OBS_DEMO_SINK_PORT"] = sinkPort.ToString(System.Globalization.CultureInfo.InvariantCulture);
        psi.Environment["OBS_DEMO_DASHBOARD_PORT"] = dashboardPort.ToString(System.Globalization.CultureInfo.InvariantCulture);
        psi.Environment["OBS_DEMO_KEEP_RUNNING"] = "1";
        psi.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
        psi.Environment["DOTNET_NOLOGO"] = "1";
        psi.Environment.Remove("ASPNETCORE_ENVIRONMENT");
        psi.Environment.Remove("ASPNETCORE_URLS");
        foreach (var (k, v) in settings) psi.Environment[k] = v;

        var process = Process.Start(psi)!;
        process.StandardInput.Close();
        var run = new DemoRun(dir, process, work, registry, new Uri($"http://127.0.0.1:{monitoringPort}/"));
        process.OutputDataReceived += (_, e) => run.OnLine(e.Data);
        process.ErrorDataReceived += (_, e) => run.OnLine(e.Data);
        process.Exited += (_, _) => run._dashboard.TrySetException(new InvalidOperationException($"demo-monitoring.sh exited before printing the dashboard URL:\n{run.Output}"));
        process.EnableRaisingEvents = true;
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return run;
    }

    /// <summary>The dashboard URL the script prints once the alert was delivered and the dashboard answers.</summary>
    public async Task<Uri> DashboardAsync(TimeSpan timeout)
    {
        try { return await _dashboard.Task.WaitAsync(timeout); }
        catch (TimeoutException) { throw new TimeoutException($"no dashboard URL after {timeout.TotalSeconds:0} s:\n{Output}"); }
    }

    private void OnLine(string? line)
    {
        if (line is null) return;
        lock (_output) _output.AppendLine(line);
        const string prefix = "dashboard: ";
        if (line.StartsWith(prefix, StringComparison.Ordinal))
            _dashboard.TrySetResult(new Uri(line[prefix.Length..].Split(' ', 2)[0].TrimEnd('/') + "/"));
    }

    /// <summary>The registry's committed files (pointers, config, README) in a fresh git repository, as in a clone of this one.</summary>
    internal static string CopyRegistry(string repoRoot)
    {
        using var source = new Repository(RepoLocator.Root);
        Repository.Init(repoRoot);
        using var copy = new Repository(repoRoot);
        foreach (var entry in source.Index.Where(e => e.Path.StartsWith("data-registry/", StringComparison.Ordinal)))
        {
            var target = Path.Combine(repoRoot, entry.Path);
            Directory.CreateDirectory(Path.GetDirectoryName(target)!);
            using var blob = source.Lookup<Blob>(entry.Id).GetContentStream();
            using var file = File.Create(target);
            blob.CopyTo(file);
        }
        Commands.Stage(copy, "*");
        var who = new Signature("Observatory e2e", "e2e@observatory.local", DateTimeOffset.UtcNow);
        copy.Commit("data registry", who, who);
        return Path.Combine(repoRoot, "data-registry");
    }

    public async ValueTask DisposeAsync()
    {
        if (_group is { } group) await ProcessGroup.StopAsync(group, TimeSpan.FromSeconds(10));
        try
        {
            // Without a group of its own (setsid could not make one) the tree is the fallback.
            if (!_process.HasExited) _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync();
        }
        catch (InvalidOperationException) { }
        _process.Dispose();
        _dir.Dispose();
    }
}
