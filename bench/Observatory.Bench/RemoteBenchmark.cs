using System.Globalization;

using Observatory.Testing;

namespace Observatory.Bench;

/// <summary>
/// obs push/pull against `rclone copy` on the same local S3 server (s3rver from tools/s3): 2,000 files of 20–200 KB and one
/// large file (1 GB by default). Prints seconds, MB/s and obs' peak RSS. Usage: remote [smallFiles=2000] [largeMiB=1024].
/// </summary>
public sealed class RemoteBenchmark : IBenchmark
{
    public string Name => "remote";
    public string Description => "obs push/pull vs rclone copy against a local S3 server (2,000 small files + one large file)";

    public async Task<int> RunAsync(string[] args, CancellationToken ct)
    {
        var small = args.Length > 0 ? int.Parse(args[0], CultureInfo.InvariantCulture) : 2000;
        var largeMiB = args.Length > 1 ? int.Parse(args[1], CultureInfo.InvariantCulture) : 1024;
        var repoRoot = RepoLocator.Root;
        var s3rver = Path.Combine(repoRoot, "tools", "s3", "node_modules", "s3rver", "bin", "s3rver.js");
        if (!File.Exists(s3rver)) { Console.Error.WriteLine("s3rver missing: run bash scripts/setup-test-deps.sh"); return 2; }
        if (!BenchProcess.HasCommand("rclone")) { Console.Error.WriteLine("rclone missing: apt-get install rclone"); return 2; }

        var work = Path.Combine(Path.GetTempPath(), "obs-bench-remote");
        if (Directory.Exists(work)) Directory.Delete(work, true);
        Directory.CreateDirectory(work);
        var port = Ports.Free();
        var server = System.Diagnostics.Process.Start(new System.Diagnostics.ProcessStartInfo("node",
            ["--openssl-legacy-provider", s3rver, "-d", Path.Combine(work, "s3"), "-a", "127.0.0.1", "-p", port.ToString(CultureInfo.InvariantCulture), "--silent",
             "--configure-bucket", "obs", "--configure-bucket", "rclone"]) { RedirectStandardOutput = true, RedirectStandardError = true })!;
        try
        {
            await Task.Delay(1500, ct);
            var results = new List<string>();
            foreach (var (label, count, min, max) in new[] { ("small files", small, 20_000, 200_000), ("large file", 1, largeMiB << 20, largeMiB << 20) })
            {
                var name = label.Replace(' ', '-');
                var src = Path.Combine(work, name, "data");
                var bytes = count == 1 ? WriteLarge(src, largeMiB) : AddBenchmark.Generate(src, count, seed: 3, minSize: min, maxSize: max);
                var repo = Path.Combine(work, name);
                BenchProcess.EnsureOk(await BenchProcess.ShellAsync("git init -q . && git config user.email b@b && git config user.name b", repo, ct), "git init");
                BenchProcess.EnsureOk(await BenchProcess.ObsAsync(repo, ct, "init"), "obs init");
                BenchProcess.EnsureOk(await BenchProcess.ObsAsync(repo, ct, "add", "data", "--no-validate", "-q"), "obs add");
                BenchProcess.EnsureOk(await BenchProcess.ObsAsync(repo, ct, "remote", "add", "s3", $"s3://obs/{name}", "--default"), "remote add");
                BenchProcess.EnsureOk(await BenchProcess.ObsAsync(repo, ct, "remote", "set", "s3", "endpoint", $"http://127.0.0.1:{port}"), "remote set");
                BenchProcess.EnsureOk(await BenchProcess.ObsAsync(repo, ct, "remote", "set", "s3", "access_key", "S3RVER"), "remote set");
                BenchProcess.EnsureOk(await BenchProcess.ObsAsync(repo, ct, "remote", "set", "s3", "secret_key", "S3RVER"), "remote set");
                var push = await BenchProcess.ObsAsync(repo, ct, "push", "-q");
                BenchProcess.EnsureOk(push, "obs push");
                // What a user does on another machine: git clone, add credentials, obs pull — into fresh folders, as rclone's
                // download below; nothing is deleted right before a timed run (ext4 then spends its time skipping the
                // recently freed inodes on every create, which would measure the deletion, not the tool).
                BenchProcess.EnsureOk(await BenchProcess.ShellAsync("git add -A && git commit -qm bench", repo, ct), "git commit");
                var conf = Path.Combine(work, "rclone.conf");
                await File.WriteAllTextAsync(conf, $"[s3r]\ntype = s3\nprovider = Other\nendpoint = http://127.0.0.1:{port}\naccess_key_id = S3RVER\nsecret_access_key = S3RVER\nregion = us-east-1\nforce_path_style = true\n", ct);
                var rcloneUp = await BenchProcess.ShellAsync($"env -u AWS_CA_BUNDLE rclone --config {conf} copy {src} s3r:rclone/{name} --transfers 8 --checkers 8", work, ct);
                BenchProcess.EnsureOk(rcloneUp, "rclone upload");
                var pulls = new List<BenchProcess.Result>();
                var downs = new List<BenchProcess.Result>();
                var repeats = count == 1 ? 1 : 5;
                for (var r = 0; r < repeats; r++)
                {
                    var clone = Path.Combine(work, $"{name}-clone{r}");
                    BenchProcess.EnsureOk(await BenchProcess.ShellAsync($"git clone -q {repo} {clone} && cp {repo}/.obs/config.local {clone}/.obs/", work, ct), "git clone");
                    await SettleAsync(work, ct);
                    var pull = await BenchProcess.ObsAsync(clone, ct, "pull", "-q");
                    BenchProcess.EnsureOk(pull, "obs pull");
                    pulls.Add(pull);
                    var back = Path.Combine(work, $"{name}-rclone-back{r}");
                    await SettleAsync(work, ct);
                    var down = await BenchProcess.ShellAsync($"env -u AWS_CA_BUNDLE rclone --config {conf} copy s3r:rclone/{name} {back} --transfers 8 --checkers 8", work, ct);
                    BenchProcess.EnsureOk(down, "rclone download");
                    downs.Add(down);
                }
                // The median of the runs, each tool's own: the machine is shared, so single runs wander.
                var pullMedian = pulls.OrderBy(p => p.Elapsed).ElementAt(repeats / 2);
                var rcloneDown = downs.OrderBy(p => p.Elapsed).ElementAt(repeats / 2);
                var pullPeak = pulls.Max(p => p.PeakRssBytes);

                double Mbps(TimeSpan t) => bytes / 1048576.0 / t.TotalSeconds;
                results.Add($"{label}: {count} file(s), {BenchProcess.Mb(bytes)}");
                results.Add($"  obs push    {push.Elapsed.TotalSeconds,7:0.00} s {Mbps(push.Elapsed),7:0} MB/s  peak RSS {BenchProcess.Mb(push.PeakRssBytes)}");
                results.Add($"  rclone up   {rcloneUp.Elapsed.TotalSeconds,7:0.00} s {Mbps(rcloneUp.Elapsed),7:0} MB/s   → obs/rclone throughput {rcloneUp.Elapsed / push.Elapsed:0.00}x");
                results.Add($"  obs pull    {pullMedian.Elapsed.TotalSeconds,7:0.00} s {Mbps(pullMedian.Elapsed),7:0} MB/s  peak RSS {BenchProcess.Mb(pullPeak)}  (median of {repeats}: {string.Join(" / ", pulls.Select(p => p.Elapsed.TotalSeconds.ToString("0.00", CultureInfo.InvariantCulture)))} s)");
                results.Add($"  rclone down {rcloneDown.Elapsed.TotalSeconds,7:0.00} s {Mbps(rcloneDown.Elapsed),7:0} MB/s   → obs/rclone throughput {rcloneDown.Elapsed / pullMedian.Elapsed:0.00}x  (median of {repeats}: {string.Join(" / ", downs.Select(p => p.Elapsed.TotalSeconds.ToString("0.00", CultureInfo.InvariantCulture)))} s)");
            }
            foreach (var line in results) Console.WriteLine(line);
            Console.WriteLine("goals: >= 2x rclone on small files, equal on the large file, obs peak RSS <= 250 MB");
            return 0;
        }
        finally
        {
            server.Kill(entireProcessTree: true);
            Directory.Delete(work, true);
        }
    }

    /// <summary>
    /// The same start for every timed download: dirty pages written out and, when run as root, clean page cache dropped so
    /// neither tool pays for reclaiming memory the previous one filled; then the server's files are read back in (warm).
    /// </summary>
    private static async Task SettleAsync(string work, CancellationToken ct)
    {
        await BenchProcess.ShellAsync("sync; [ -w /proc/sys/vm/drop_caches ] && echo 1 > /proc/sys/vm/drop_caches; find s3 -type f -exec cat {} + > /dev/null", work, ct);
    }

    private static long WriteLarge(string dir, int mib)
    {
        Directory.CreateDirectory(dir);
        var rng = new Random(4);
        var buffer = new byte[1 << 20];
        using var fs = File.Create(Path.Combine(dir, "large.bin"));
        for (var i = 0; i < mib; i++) { rng.NextBytes(buffer); fs.Write(buffer); }
        return (long)mib << 20;
    }

}
