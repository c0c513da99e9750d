using System.Globalization;

namespace Observatory.Bench;

/// <summary>
/// `obs add` against one `sha256sum` process and against `git annex add`, on the same 5,000 files of 50–500 KB
/// (page cache warmed first). Usage: add [files=5000] [dir].
/// </summary>
public sealed class AddBenchmark : IBenchmark
{
    public string Name => "add";
    public string Description => "obs add vs sha256sum vs git annex add on 5,000 files of 50-500 KB";

    public async Task<int> RunAsync(string[] args, CancellationToken ct)
    {
        var count = args.Length > 0 ? int.Parse(args[0], CultureInfo.InvariantCulture) : 5000;
        var work = args.Length > 1 ? args[1] : Path.Combine(Path.GetTempPath(), "obs-bench-add");
        if (Directory.Exists(work)) Directory.Delete(work, true);
        var data = Path.Combine(work, "src");
        var bytes = Generate(data, count, seed: 1);
        Console.WriteLine($"data: {count} files, {BenchProcess.Mb(bytes)} in {data}");
        await BenchProcess.ShellAsync($"cat $(find {data} -type f) > /dev/null", work, ct); // warm the page cache

        var sha = await BenchProcess.ShellAsync($"find src -type f -print0 | sort -z | xargs -0 sha256sum > /dev/null", work, ct);
        BenchProcess.EnsureOk(sha, "sha256sum");

        async Task<BenchProcess.Result> ObsAdd(string mode)
        {
            var obsRepo = Path.Combine(work, "obs-" + mode);
            await Prepare(obsRepo, data, ct, copy: true);
            BenchProcess.EnsureOk(await BenchProcess.ObsAsync(obsRepo, ct, "init"), "obs init");
            await File.AppendAllTextAsync(Path.Combine(obsRepo, ".obs", "config"), $"cache:\n  type: {mode}\n", ct);
            await BenchProcess.ShellAsync("cat $(find data -type f) > /dev/null && sync", obsRepo, ct);
            var r = await BenchProcess.ObsAsync(obsRepo, ct, "add", "data", "--no-validate", "-q");
            BenchProcess.EnsureOk(r, "obs add");
            Directory.Delete(obsRepo, true);
            return r;
        }
        var obs = await ObsAdd("copy");
        var obsLink = await ObsAdd("hardlink");

        BenchProcess.Result? annex = null;
        if (BenchProcess.HasCommand("git-annex"))
        {
            var annexRepo = Path.Combine(work, "annex-repo");
            await Prepare(annexRepo, data, ct);
            BenchProcess.EnsureOk(await BenchProcess.ShellAsync("git annex init -q bench >/dev/null 2>&1", annexRepo, ct), "git annex init");
            annex = await BenchProcess.ShellAsync("git annex add -q data > /dev/null", annexRepo, ct);
            BenchProcess.EnsureOk(annex, "git annex add");
        }

        double Mbps(TimeSpan t) => bytes / 1048576.0 / t.TotalSeconds;
        Console.WriteLine($"{"tool",-28} {"seconds",8} {"MB/s",8} {"peak RSS",10}");
        Console.WriteLine($"{"obs add, cache.type copy",-28} {obs.Elapsed.TotalSeconds,8:0.00} {Mbps(obs.Elapsed),8:0} {BenchProcess.Mb(obs.PeakRssBytes),10}");
        Console.WriteLine($"{"obs add, cache.type hardlink",-28} {obsLink.Elapsed.TotalSeconds,8:0.00} {Mbps(obsLink.Elapsed),8:0} {BenchProcess.Mb(obsLink.PeakRssBytes),10}");
        Console.WriteLine($"{"sha256sum (1 process)",-28} {sha.Elapsed.TotalSeconds,8:0.00} {Mbps(sha.Elapsed),8:0}");
        if (annex is not null) Console.WriteLine($"{"git annex add",-28} {annex.Elapsed.TotalSeconds,8:0.00} {Mbps(annex.Elapsed),8:0}");
        else Console.WriteLine("git annex add: not installed (apt-get install git-annex) — skipped");
        Console.WriteLine($"ratio obs/sha256sum throughput: copy {sha.Elapsed / obs.Elapsed:0.00}x, hardlink {sha.Elapsed / obsLink.Elapsed:0.00}x (goal >= 1.5x)");
        if (annex is not null) Console.WriteLine($"ratio obs vs git annex add: copy {annex.Elapsed / obs.Elapsed:0.0}x, hardlink {annex.Elapsed / obsLink.Elapsed:0.0}x faster (goal >= 10x)");
        Directory.Delete(work, true);
        return 0;
    }

    /// <summary>A fresh git repo holding the data: a real copy for obs (hard links would let its cache share inodes), links for annex.</summary>
    private static async Task Prepare(string repo, string data, CancellationToken ct, bool copy = false)
    {
        Directory.CreateDirectory(repo);
        BenchProcess.EnsureOk(await BenchProcess.ShellAsync($"git init -q . && git config user.email b@b && git config user.name bench && cp -{(copy ? "r" : "al")} {data} data", repo, ct), "git init");
    }

    internal static long Generate(string dir, int count, int seed, int minSize = 50_000, int maxSize = 500_000)
    {
        var rng = new Random(seed);
        long total = 0;
        var buffer = new byte[maxSize];
        for (var i = 0; i < count; i++)
        {
            var size = rng.Next(minSize, maxSize + 1);
            rng.NextBytes(buffer.AsSpan(0, size));
            var path = Path.Combine(dir, $"part{i % 50:D2}", $"img{i:D6}.jpg");
            Directory.CreateDirectory(Path.GetDirectoryName(path)!);
            using (var fs = File.Create(path)) fs.Write(buffer, 0, size);
            total += size;
        }
        return total;
    }
}

/// <summary>
/// `obs status` on a tree of small files (default 100,000): unchanged, then with one file modified; wall time and peak memory,
/// `git status` on the same files beside it. Usage: status [files=100000] [--keep] — with --keep the tree is left in
/// /tmp/obs-bench-status and a later run of the same size reuses it (generating and adding a million files takes minutes).
/// </summary>
public sealed class StatusBenchmark : IBenchmark
{
    public string Name => "status";
    public string Description => "obs status on 100,000 small files, unchanged and with one modified (time, peak RSS); git status beside it";

    public async Task<int> RunAsync(string[] args, CancellationToken ct)
    {
        var keep = args.Contains("--keep");
        var count = args.FirstOrDefault(a => !a.StartsWith("--", StringComparison.Ordinal)) is { } n ? int.Parse(n, CultureInfo.InvariantCulture) : 100_000;
        var work = Path.Combine(Path.GetTempPath(), "obs-bench-status");
        var marker = Path.Combine(work, "bench-files");
        var gitRepo = Path.Combine(work, "git-peer");
        var data = Path.Combine(work, "data");
        BenchProcess.Result? add = null;
        if (keep && File.Exists(marker) && File.ReadAllText(marker) == count.ToString(CultureInfo.InvariantCulture))
            Console.WriteLine($"reusing the {count:N0} files kept in {work}");
        else
        {
            if (Directory.Exists(work)) Directory.Delete(work, true);
            Directory.CreateDirectory(work);
            BenchProcess.EnsureOk(await BenchProcess.ShellAsync("git init -q . && git config user.email b@b && git config user.name bench", work, ct), "git init");
            AddBenchmark.Generate(data, count, seed: 2, minSize: 200, maxSize: 2000);
            BenchProcess.EnsureOk(await BenchProcess.ObsAsync(work, ct, "init"), "obs init");
            add = await BenchProcess.ObsAsync(work, ct, "add", "data", "--no-validate", "-q");
            BenchProcess.EnsureOk(add, "obs add");
            // Peer: git status over the same files tracked by git itself. No automatic gc: after a million loose objects it packs
            // them in the background for minutes, on the cores the timed status runs need.
            BenchProcess.EnsureOk(await BenchProcess.ShellAsync($"mkdir -p {gitRepo} && cd {gitRepo} && git init -q . && git config gc.auto 0 && cp -al ../data data && git add data && git -c user.email=b@b -c user.name=b commit -qm x", work, ct), "git add");
            File.WriteAllText(marker, count.ToString(CultureInfo.InvariantCulture));
        }
        var first = await BenchProcess.ObsAsync(work, ct, "status");
        var second = await BenchProcess.ObsAsync(work, ct, "status");
        BenchProcess.EnsureOk(second, "obs status");
        if (!second.Stdout.Contains("clean", StringComparison.Ordinal)) throw new InvalidOperationException("status did not report clean: " + second.Stdout);
        await BenchProcess.ShellAsync("git status --porcelain > /dev/null", gitRepo, ct);
        var git = await BenchProcess.ShellAsync("git status --porcelain > /dev/null", gitRepo, ct);

        // One file modified: status finds which, so it compares the stored tree with the workspace's.
        // Its bytes are put back afterwards, so a kept tree stays as it was added.
        var victim = Directory.EnumerateFiles(data, "*", SearchOption.AllDirectories).First();
        var before = File.ReadAllBytes(victim);
        BenchProcess.Result changed;
        try
        {
            // Written beside and renamed over: the git peer's hard link keeps the old bytes, as an editor's save would.
            File.WriteAllBytes(victim + ".new", [.. before, 0x2a]);
            File.Move(victim + ".new", victim, overwrite: true);
            changed = await BenchProcess.ObsAsync(work, ct, "status");
            BenchProcess.EnsureOk(changed, "obs status (one modified)");
            if (!changed.Stdout.Contains("modified: data/" + Path.GetRelativePath(data, victim).Replace('\\', '/'), StringComparison.Ordinal))
                throw new InvalidOperationException("status did not name the modified file: " + changed.Stdout);
        }
        finally
        {
            File.WriteAllBytes(victim + ".new", before);
            File.Move(victim + ".new", victim, overwrite: true);
        }

        if (add is not null) Console.WriteLine($"{count:N0} files: obs add {add.Elapsed.TotalSeconds:0.00}s (peak {BenchProcess.Mb(add.PeakRssBytes)})");
        var goal = count >= 1_000_000 ? "goal <= 5 s, <= 500 MB" : "goal <= 1 s, <= 300 MB";
        Console.WriteLine($"obs status (unchanged): {second.Elapsed.TotalSeconds:0.00}s, peak RSS {BenchProcess.Mb(second.PeakRssBytes)} (first run {first.Elapsed.TotalSeconds:0.00}s) — {goal}");
        Console.WriteLine($"git status (same files in git's index): {git.Elapsed.TotalSeconds:0.00}s");
        Console.WriteLine($"obs status (one file modified): {changed.Elapsed.TotalSeconds:0.00}s, peak RSS {BenchProcess.Mb(changed.PeakRssBytes)} — goal <= 500 MB");
        if (!keep) Directory.Delete(work, true);
        return 0;
    }
}
