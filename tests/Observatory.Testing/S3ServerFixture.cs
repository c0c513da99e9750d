using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using Xunit;

namespace Observatory.Testing;

/// <summary>
/// A real S3-compatible server (npm's s3rver, installed and patched by scripts/setup-test-deps.sh) on 127.0.0.1 and a free
/// port, with bucket <see cref="Bucket"/> created. Missing s3rver is a test failure with the command to run, never a skip.
/// </summary>
public sealed class S3ServerFixture : IAsyncLifetime
{
    public const string Bucket = "datasets";
    public const string AccessKey = "S3RVER";
    public const string SecretKey = "S3RVER";

    private Process? _process;
    private readonly TempDirectory _data = new("s3");

    public int Port { get; } = Ports.Free();
    public string Endpoint => $"http://127.0.0.1:{Port}";

    /// <summary>Settings that make a Monitoring service keep its images in this server's bucket, under <paramref name="prefix"/>.</summary>
    public Dictionary<string, string?> ImageStoreSettings(string prefix) => new()
    {
        ["Monitoring:ImageStore:Url"] = $"s3://{Bucket}/{prefix}",
        ["Monitoring:ImageStore:Endpoint"] = Endpoint,
        ["Monitoring:ImageStore:UseSsl"] = "false",
        ["Monitoring:ImageStore:AccessKey"] = AccessKey,
        ["Monitoring:ImageStore:SecretKey"] = SecretKey,
    };
    public string DataDirectory => _data.Path;

    public static string S3rverScript => Path.Combine(RepoLocator.Root, "tools", "s3", "node_modules", "s3rver", "bin", "s3rver.js");

    public async Task InitializeAsync() => await StartAsync();

    public async Task StartAsync()
    {
        if (!File.Exists(S3rverScript))
            throw new InvalidOperationException($"s3rver is not installed at {S3rverScript}; run 'bash scripts/setup-test-deps.sh'");
        var psi = new ProcessStartInfo("node") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var a in new[] { "--openssl-legacy-provider", S3rverScript, "-d", _data.Path, "-a", "127.0.0.1", "-p", Port.ToString(System.Globalization.CultureInfo.InvariantCulture), "--silent", "--configure-bucket", Bucket })
            psi.ArgumentList.Add(a);
        _process = Process.Start(psi)!;
        _ = _process.StandardOutput.ReadToEndAsync();
        _ = _process.StandardError.ReadToEndAsync();
        var sw = Stopwatch.StartNew();
        while (sw.Elapsed < TimeSpan.FromSeconds(30))
        {
            if (_process.HasExited) throw new InvalidOperationException($"s3rver exited with {_process.ExitCode}");
            try
            {
                using var client = new TcpClient();
                await client.ConnectAsync(IPAddress.Loopback, Port);
                return;
            }
            catch (SocketException)
            {
                await Task.Delay(50);
            }
        }
        throw new TimeoutException("s3rver did not start listening within 30 s");
    }

    /// <summary>Stops the server (for "server down" tests); <see cref="StartAsync"/> brings it back with the same data.</summary>
    public async Task StopAsync()
    {
        if (_process is { HasExited: false })
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync();
        }
        _process?.Dispose();
        _process = null;
    }

    /// <summary>The file s3rver keeps an object's bytes in (for corruption tests).</summary>
    public string ObjectFile(string key) => Path.Combine(_data.Path, Bucket, key + "._S3rver_object");

    public async Task DisposeAsync()
    {
        await StopAsync();
        _data.Dispose();
    }

}
