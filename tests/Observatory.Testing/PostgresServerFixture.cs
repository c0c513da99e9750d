using System.Diagnostics;
using Xunit;

namespace Observatory.Testing;

/// <summary>
/// A throwaway PostgreSQL 15 cluster (initdb + pg_ctl, run as user postgres when the tests run as root) on 127.0.0.1 and a free
/// port, trust auth, fsync off. A missing server is a failure naming the command to run, never a skip.
/// </summary>
public sealed class PostgresServerFixture : IAsyncLifetime
{
    public const string BinDir = "/usr/lib/postgresql/15/bin";
    private readonly TempDirectory _dir = new("pg");
    private bool _started;

    public int Port { get; } = Ports.Free();
    public string DataDirectory => Path.Combine(_dir.Path, "pg", "data");

    public string ConnectionString(string database = "postgres") =>
        $"Host=127.0.0.1;Port={Port};Username=postgres;Database={database};Pooling=true;Maximum Pool Size=20";

    public async Task InitializeAsync()
    {
        if (!File.Exists(Path.Combine(BinDir, "initdb")))
            throw new InvalidOperationException($"PostgreSQL server binaries not found in {BinDir}; run 'bash scripts/setup-test-deps.sh' (installs apt package postgresql)");
        var root = Path.Combine(_dir.Path, "pg");
        Directory.CreateDirectory(root);
        if (IsRoot) await RunAsync("chown", ["-R", "postgres", _dir.Path]);
        await RunAsPostgresAsync($"{BinDir}/initdb -D '{DataDirectory}' -A trust -U postgres -E UTF8 --no-sync");
        await RunAsPostgresAsync($"{BinDir}/pg_ctl -D '{DataDirectory}' -o \"-p {Port} -k '{root}' -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=200\" -l '{root}/pg.log' -w start");
        _started = true;
    }

    public async Task DisposeAsync()
    {
        if (_started)
        {
            try { await RunAsPostgresAsync($"{BinDir}/pg_ctl -D '{DataDirectory}' -m immediate -w stop"); }
            catch (InvalidOperationException) { }
        }
        _dir.Dispose();
    }

    private static bool IsRoot => Environment.UserName == "root";

    private static Task RunAsPostgresAsync(string command) =>
        IsRoot ? RunAsync("su", ["postgres", "-c", command]) : RunAsync("/bin/sh", ["-c", command]);

    private static async Task RunAsync(string file, string[] args)
    {
        var psi = new ProcessStartInfo(file) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var a in args) psi.ArgumentList.Add(a);
        using var p = Process.Start(psi)!;
        var stdout = p.StandardOutput.ReadToEndAsync();
        var stderr = p.StandardError.ReadToEndAsync();
        await p.WaitForExitAsync();
        if (p.ExitCode != 0)
            throw new InvalidOperationException($"'{file} {string.Join(' ', args)}' exited with {p.ExitCode}: {await stderr}{await stdout}");
    }

}
