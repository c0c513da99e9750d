using System.Diagnostics;

namespace Observatory.Testing;

/// <summary>Prometheus's own linter (`promtool check metrics`, Debian package prometheus) run over a /metrics exposition.</summary>
public static class Promtool
{
    /// <summary>The linter's exit code and what it printed; missing promtool fails the test (it is installed by the setup script).</summary>
    public static async Task<(int ExitCode, string Output)> CheckMetricsAsync(string exposition)
    {
        var path = Environment.GetEnvironmentVariable("PATH")?.Split(':').Select(d => Path.Combine(d, "promtool")).FirstOrDefault(File.Exists)
            ?? throw new InvalidOperationException("promtool not found on PATH; run 'bash scripts/setup-test-deps.sh' (installs apt package prometheus)");
        var psi = new ProcessStartInfo(path, ["check", "metrics"])
        {
            RedirectStandardInput = true, RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false,
        };
        using var process = Process.Start(psi)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        await process.StandardInput.WriteAsync(exposition);
        process.StandardInput.Close();
        await process.WaitForExitAsync();
        return (process.ExitCode, (await stdout + await stderr).Trim());
    }
}
