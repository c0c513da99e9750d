using System.Diagnostics;
using System.Globalization;

namespace Observatory.Bench;

/// <summary>Runs a command as a child process and measures wall time and peak resident memory (polled from /proc).</summary>
public static class BenchProcess
{
    public sealed record Result(int ExitCode, TimeSpan Elapsed, long PeakRssBytes, string Stdout, string Stderr);

    public static async Task<Result> RunAsync(string file, IEnumerable<string> args, string workingDirectory, CancellationToken ct, IDictionary<string, string>? env = null)
    {
        var psi = new ProcessStartInfo(file) { WorkingDirectory = workingDirectory, RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var a in args) psi.ArgumentList.Add(a);
        if (env is not null) foreach (var (k, v) in env) psi.Environment[k] = v;
        var sw = Stopwatch.StartNew();
        using var p = Process.Start(psi)!;
        var stdout = p.StandardOutput.ReadToEndAsync(ct);
        var stderr = p.StandardError.ReadToEndAsync(ct);
        long peak = 0;
        while (!p.HasExited)
        {
            peak = Math.Max(peak, ReadRss(p.Id));
            await Task.Delay(10, ct);
        }
        await p.WaitForExitAsync(ct);
        sw.Stop();
        return new Result(p.ExitCode, sw.Elapsed, peak, await stdout, await stderr);
    }

    /// <summary>`dotnet obs.dll …` from the CLI build copied beside the benchmark.</summary>
    public static Task<Result> ObsAsync(string workingDirectory, CancellationToken ct, params string[] args) =>
        RunAsync("dotnet", [Path.Combine(AppContext.BaseDirectory, "obs.dll"), .. args], workingDirectory, ct);

    public static Task<Result> ShellAsync(string command, string workingDirectory, CancellationToken ct) =>
        RunAsync("/bin/bash", ["-c", command], workingDirectory, ct);

    public static bool HasCommand(string name) =>
        Environment.GetEnvironmentVariable("PATH")!.Split(':').Any(d => File.Exists(Path.Combine(d, name)));

    public static void EnsureOk(Result r, string what)
    {
        if (r.ExitCode != 0) throw new InvalidOperationException($"{what} failed (exit {r.ExitCode}): {r.Stderr}");
    }

    private static long ReadRss(int pid)
    {
        try
        {
            foreach (var line in File.ReadLines($"/proc/{pid}/status"))
                if (line.StartsWith("VmRSS:", StringComparison.Ordinal))
                    return long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture) * 1024;
        }
        catch (IOException) { }
        catch (UnauthorizedAccessException) { }
        return 0;
    }

    public static string Mb(long bytes) => (bytes / 1048576.0).ToString("0.0", CultureInfo.InvariantCulture) + " MB";
}
