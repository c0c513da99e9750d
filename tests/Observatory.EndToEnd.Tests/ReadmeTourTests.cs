using System.Diagnostics;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Observatory.Testing;

namespace Observatory.EndToEnd.Tests;

/// <summary>
/// The README's "Monitoring a model, command by command" block, run as written by bash in a copy of the checkout's registry:
/// the same commands, rewritten only where a test must (free ports instead of 5080/5000/5099, the two servers of steps 1 and 5
/// started in the background and waited for, this test build's outputs instead of a rebuild, the service's store in temp,
/// curl failing on HTTP errors). If a README step stops working, or the tour stops reaching an acknowledged, silenced alert,
/// this fails.
/// </summary>
public sealed class ReadmeTourTests
{
    private const string Heading = "## Monitoring a model, command by command";

    [Fact]
    public async Task TheMonitoringTour_RunAsWritten_RaisesTheDriftAlert_ThenAcknowledgesAndSilencesIt()
    {
        var block = ReadmeBlock(Heading);
        using var dir = new TempDirectory("tour");
        var registry = DemoRun.CopyRegistry(dir.Combine("repo"));
        var cwd = Path.GetDirectoryName(registry)!;
        // The README runs from the repository root: the projects and scripts it names are reached through links.
        // (the build files too: MSBuild looks for them above the linked project, in the copy).
        foreach (var name in new[] { "scripts", "samples", "Monitoring", "Dashboard", "DataService", "Directory.Build.props", "Directory.Packages.props", "global.json" })
            File.CreateSymbolicLink(Path.Combine(cwd, name), Path.Combine(RepoLocator.Root, name));
        var configuration = new DirectoryInfo(Path.TrimEndingDirectorySeparator(AppContext.BaseDirectory)).Parent!.Name;
        var (mport, dport, sport) = (Ports.Free(), Ports.Free(), Ports.Free());
        var script = Rewrite(block, configuration, dir.Path, mport, dport, sport);
        File.WriteAllText(dir.Combine("tour.sh"), script);

        var psi = new ProcessStartInfo("setsid") { WorkingDirectory = cwd, RedirectStandardOutput = true, RedirectStandardError = true, RedirectStandardInput = true, UseShellExecute = false };
        psi.ArgumentList.Add("bash");
        psi.ArgumentList.Add(dir.Combine("tour.sh"));
        psi.Environment["OBS_DEMO_CONFIGURATION"] = configuration;
        psi.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
        psi.Environment["DOTNET_NOLOGO"] = "1";
        psi.Environment.Remove("ASPNETCORE_ENVIRONMENT");
        psi.Environment.Remove("ASPNETCORE_URLS");
        var output = new StringBuilder();
        var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        using var process = Process.Start(psi)!;
        process.StandardInput.Close();
        void OnLine(string? line)
        {
            if (line is null) return;
            lock (output) output.AppendLine(line);
            if (line == "TOUR-DONE") done.TrySetResult();
        }
        process.OutputDataReceived += (_, e) => OnLine(e.Data);
        process.ErrorDataReceived += (_, e) => OnLine(e.Data);
        process.EnableRaisingEvents = true;
        process.Exited += (_, _) => done.TrySetException(new InvalidOperationException($"the tour stopped (exit {process.ExitCode}):\n{Text()}"));
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        string Text() { lock (output) return output.ToString(); }
        int? group = null;
        var deadline = DateTime.UtcNow.AddSeconds(5);
        while ((group = ProcessGroup.LedBy(process.Id)) is null && !process.HasExited && DateTime.UtcNow < deadline) Thread.Sleep(10);
        try
        {
            try { await done.Task.WaitAsync(TimeSpan.FromMinutes(6)); }
            catch (TimeoutException)
            {
                var logs = string.Join('\n', new[] { "monitoring.log", "dashboard.log" }.Where(f => File.Exists(dir.Combine(f)))
                    .Select(f => $"--- {f}:\n{string.Join('\n', File.ReadLines(dir.Combine(f)).TakeLast(30))}"));
                throw new TimeoutException($"the tour did not finish in 6 minutes:\n{Text()}\n{logs}");
            }

            using var api = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{mport}/") };
            // Step 3: the uploaded image, the simulated traffic and the label arrived.
            var count = await api.GetFromJsonAsync<JsonElement>("api/models/shapes/events/count");
            Assert.Equal(301, count.GetProperty("count").GetInt64());
            // Step 4: three drift runs, each flagging the drifted window. The tour's model is also scheduled every 15 minutes, so a
            // tour that crosses a quarter hour has a fourth, scheduled run: of the same drifted traffic (seen at 07:00:00), or,
            // when it fires before the traffic has arrived, of a window too small to judge (seen at 18:30:00 with 1 event).
            var drift = (await api.GetFromJsonAsync<JsonElement>("api/models/shapes/drift?limit=100")).EnumerateArray().ToList();
            Assert.InRange(drift.Count, 3, 4);
            Assert.True(drift.Count(d => d.GetProperty("flagged").GetBoolean()) >= 3, string.Join('\n', drift));
            Assert.All(drift.Where(d => !d.GetProperty("flagged").GetBoolean()), d =>
                Assert.Matches(@"^window has \d+ events \(needs \d+\)$", d.GetProperty("details").GetProperty("note").GetString()));
            // Step 6: the drift alert fired, was acknowledged by ada, and its rule is silenced.
            var alert = Assert.Single((await api.GetFromJsonAsync<JsonElement>("api/alerts?model=shapes")).EnumerateArray(),
                a => a.GetProperty("ruleId").GetString() == "embedding-drift");
            Assert.Equal("acknowledged", alert.GetProperty("state").GetString());
            Assert.Equal("ada", alert.GetProperty("acknowledgedBy").GetString());
            var silence = Assert.Single((await api.GetFromJsonAsync<JsonElement>("api/silences")).EnumerateArray());
            Assert.Equal("embedding-drift", silence.GetProperty("ruleId").GetString());
            // Step 5: the dashboard answered on its port.
            using var dashboard = new HttpClient();
            using var page = await dashboard.GetAsync($"http://127.0.0.1:{dport}/");
            Assert.True(page.IsSuccessStatusCode, $"dashboard: {(int)page.StatusCode}\n{Text()}");
        }
        finally
        {
            if (group is { } g) await ProcessGroup.StopAsync(g, TimeSpan.FromSeconds(10));
            if (!process.HasExited) process.Kill(entireProcessTree: true);
        }
    }

    /// <summary>The first fenced code block after <paramref name="heading"/> in the README.</summary>
    private static string ReadmeBlock(string heading)
    {
        var readme = File.ReadAllText(Path.Combine(RepoLocator.Root, "README.md"));
        var at = readme.IndexOf(heading, StringComparison.Ordinal);
        Assert.True(at >= 0, $"README has no '{heading}'");
        var start = readme.IndexOf("```\n", at, StringComparison.Ordinal) + 4;
        var end = readme.IndexOf("\n```", start, StringComparison.Ordinal);
        return readme[start..end];
    }

    /// <summary>The README's commands with the few changes a test needs; each rewritten command must be found, or the README changed.</summary>
    internal static string Rewrite(string block, string configuration, string work, int mport, int dport, int sport)
    {
        string Must(string text, string find, string replace)
        {
            Assert.True(text.Contains(find, StringComparison.Ordinal), $"the README's tour no longer contains '{find}'");
            return text.Replace(find, replace, StringComparison.Ordinal);
        }
        var text = block;
        text = Must(text, "127.0.0.1:5080", $"127.0.0.1:{mport}");
        text = Must(text, "127.0.0.1:5000", $"127.0.0.1:{dport}");
        text = Must(text, "127.0.0.1:5099", $"127.0.0.1:{sport}");
        text = Must(text, "dotnet build samples/Observatory.TrafficSimulator -v q", ": the simulator was built with the tests");
        text = Must(text, "dotnet run --no-build --project", $"dotnet run --no-build -c {configuration} --project");
        text = Must(text, "dotnet run --project", $"dotnet run --no-build -c {configuration} --project");

        // Steps 1 and 5 start servers: in the background, each waited for before the next step.
        var lines = text.Split('\n').ToList();
        var result = new List<string>();
        for (var i = 0; i < lines.Count; i++)
        {
            var line = lines[i];
            var server = line.Contains("Observatory.Monitoring.Api", StringComparison.Ordinal) ? "monitoring"
                : line.Contains("Observatory.Dashboard ", StringComparison.Ordinal) ? "dashboard" : null;
            if (server is null || !line.StartsWith("dotnet run", StringComparison.Ordinal)) { result.Add(line); continue; }
            var command = new List<string> { line };
            while (command[^1].EndsWith('\\')) command.Add(lines[++i]);
            if (server == "monitoring")
                // Its port comes from appsettings.json (5080) in the README; the test's is free.
                command[^1] += $" --urls http://127.0.0.1:{mport} \"--ConnectionStrings:Monitoring=Data Source={work}/monitoring.db\" \"--Monitoring:EmbeddingCacheDirectory={work}/embedding-cache\"";
            command[^1] += $" > {work}/{server}.log 2>&1 &";
            result.AddRange(command);
            result.Add($"echo \"tour: {server} started\"");
            var url = server == "monitoring" ? $"http://127.0.0.1:{mport}/healthz" : $"http://127.0.0.1:{dport}/";
            result.Add($"for i in $(seq 1 240); do command curl -s -m 5 -o /dev/null {url} && break; sleep 0.5; done; command curl -s -m 5 -o /dev/null {url} || {{ cat {work}/{server}.log; exit 1; }}");
        }
        Assert.Equal(2, result.Count(l => l.EndsWith(" 2>&1 &", StringComparison.Ordinal)));

        var preamble = $$"""
            set -euo pipefail
            obs() { dotnet {{RepoLocator.Root}}/DataService/Observatory.Cli/bin/{{configuration}}/net10.0/obs.dll "$@"; }
            curl() { command curl -sS --fail-with-body "$@"; }
            """;
        return preamble + "\n" + string.Join('\n', result) + "\necho\necho TOUR-DONE\nwait\n";
    }
}
