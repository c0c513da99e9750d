using System.Diagnostics;

namespace Observatory.Testing;

/// <summary>Result of running the real `obs` CLI as a child process.</summary>
public sealed record ObsRun(int ExitCode, string Stdout, string Stderr)
{
    public override string ToString() => $"exit {ExitCode}\nstdout:\n{Stdout}\nstderr:\n{Stderr}";
}

/// <summary>Runs the real `obs` (obs.dll beside the test assembly) in a working directory, as users do.</summary>
public static class ObsProcess
{
    public static string ObsDll => Path.Combine(AppContext.BaseDirectory, "obs.dll");

    public static ProcessStartInfo StartInfo(string workingDirectory, IEnumerable<string> args, IDictionary<string, string>? env = null)
    {
        var psi = new ProcessStartInfo("dotnet")
        {
            WorkingDirectory = workingDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
        };
        psi.ArgumentList.Add(ObsDll);
        foreach (var a in args) psi.ArgumentList.Add(a);
        psi.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
        psi.Environment["DOTNET_NOLOGO"] = "1";
        if (env is not null) foreach (var (k, v) in env) psi.Environment[k] = v;
        return psi;
    }

    public static async Task<ObsRun> RunAsync(string workingDirectory, params string[] args) => await RunAsync(workingDirectory, args, null);

    public static async Task<ObsRun> RunAsync(string workingDirectory, IEnumerable<string> args, IDictionary<string, string>? env, TimeSpan? timeout = null)
    {
        using var process = Process.Start(StartInfo(workingDirectory, args, env))!;
        process.StandardInput.Close();
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var cts = new CancellationTokenSource(timeout ?? TimeSpan.FromMinutes(3));
        try
        {
            await process.WaitForExitAsync(cts.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"obs {string.Join(' ', args)} did not finish in time");
        }
        return new ObsRun(process.ExitCode, await stdout, await stderr);
    }

    /// <summary>Starts obs and returns the running process (for kill tests); output is drained so it never blocks.</summary>
    public static Process Start(string workingDirectory, IEnumerable<string> args, IDictionary<string, string>? env = null)
    {
        var process = Process.Start(StartInfo(workingDirectory, args, env))!;
        process.StandardInput.Close();
        _ = process.StandardOutput.ReadToEndAsync();
        _ = process.StandardError.ReadToEndAsync();
        return process;
    }
}
