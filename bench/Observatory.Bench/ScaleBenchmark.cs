using System.Globalization;
using Observatory.Samples;
using Observatory.Testing;

namespace Observatory.Bench;

/// <summary>
/// The data half at Food-101 size: N deterministic JPEGs (default 100,000, 512×384 with noise texture, about 20–60 KB each) with
/// YOLO labels, then each step a user takes, timed with its peak RSS and CPU time (user + system: CPU ÷ wall near the core count
/// means the step is bound by computation, well below it by the disk or by requests):
/// `obs add`, `obs commit`, `obs push` to the local S3 server, a fresh `git clone` + `obs pull`, `obs status` unchanged, one image
/// changed + `obs status` + `obs commit`, and `obs diff` of the two versions. Peers on the same data in the same run:
/// `git annex add` + `git commit`, `git annex copy` to a directory special remote, `rclone copy` up and down the same S3 server.
/// Oxen's published Food-101 figures (their hardware) are printed beside: add 12.9 s, commit 34.8 s, push 150 s; DVC push ~720 s.
/// Not a test: it writes several GB under --work and takes tens of minutes on 2 cores.
/// args: [--count N] [--work DIR] [--no-peers] [--keep]
/// </summary>
public sealed class ScaleBenchmark : IBenchmark
{
    public string Name => "scale";
    public string Description => "100,000-image round trip: obs add/commit/push/clone+pull/status/change/diff with git-annex and rclone beside it";

    private sealed record Step(string Name, Timed Obs, string? PeerName = null, Timed? Peer = null, string? Anchor = null);

    public async Task<int> RunAsync(string[] args, CancellationToken ct)
    {
        var count = int.Parse(Arg(args, "--count", "100000"), CultureInfo.InvariantCulture);
        var work = Arg(args, "--work", Path.Combine(Path.GetTempPath(), "obs-bench-scale"));
        var peers = !args.Contains("--no-peers");
        var s3rver = S3ServerFixture.S3rverScript;
        if (!File.Exists(s3rver)) { Console.Error.WriteLine("s3rver missing: run bash scripts/setup-test-deps.sh"); return 2; }
        var annex = peers && BenchProcess.HasCommand("git-annex");
        var rclone = peers && BenchProcess.HasCommand("rclone");
        if (peers && (!annex || !rclone))
            Console.Error.WriteLine($"peers missing ({(annex ? "" : "git-annex ")}{(rclone ? "" : "rclone")}): apt-get install git-annex rclone — their rows are left out");

        var data = Path.Combine(work, "source", "food");
        var bytes = await GenerateAsync(data, count, ct);
        Console.WriteLine($"scale benchmark: {count:N0} images + {count:N0} YOLO labels, {BenchProcess.Mb(bytes)}, {Environment.ProcessorCount} cores");

        foreach (var d in new[] { "obs", "obs-novalidate", "clone", "annex", "annex-remote", "rclone-back", "s3" })
            if (Directory.Exists(Path.Combine(work, d))) await BenchProcess.ShellAsync($"chmod -R u+w {d} 2>/dev/null; rm -rf {d}", work, ct);
        var port = Ports.Free();
        using var server = System.Diagnostics.Process.Start(new System.Diagnostics.ProcessStartInfo("node",
            ["--openssl-legacy-provider", s3rver, "-d", Path.Combine(work, "s3"), "-a", "127.0.0.1", "-p", port.ToString(CultureInfo.InvariantCulture), "--silent",
             "--configure-bucket", "obs", "--configure-bucket", "rclone"]) { RedirectStandardOutput = true, RedirectStandardError = true })!;
        var steps = new List<Step>();
        try
        {
            await Task.Delay(1500, ct);
            var repo = Path.Combine(work, "obs");
            Directory.CreateDirectory(repo);
            Ensure(await Timed.RunAsync("git init -q . && git config user.email b@b && git config user.name b", repo, ct), "git init");
            Ensure(await Timed.RunAsync($"cp -al {data} food", repo, ct), "link the data");
            Ensure(await Timed.ObsAsync(repo, ct, "init"), "obs init");
            Ensure(await Timed.ObsAsync(repo, ct, "remote", "add", "s3", "s3://obs/food", "--default"), "remote add");
            Ensure(await Timed.ObsAsync(repo, ct, "remote", "set", "s3", "endpoint", $"http://127.0.0.1:{port}"), "remote set");
            Ensure(await Timed.ObsAsync(repo, ct, "remote", "set", "s3", "access_key", "S3RVER"), "remote set");
            Ensure(await Timed.ObsAsync(repo, ct, "remote", "set", "s3", "secret_key", "S3RVER"), "remote set");

            Timed? annexAdd = null, annexCommit = null, annexCopy = null, rcloneUp = null, rcloneDown = null, annexStatus = null, annexChange = null;
            var annexRepo = Path.Combine(work, "annex");
            if (annex)
            {
                Directory.CreateDirectory(annexRepo);
                Ensure(await Timed.RunAsync($"git init -q . && git config user.email b@b && git config user.name b && git annex init -q bench >/dev/null 2>&1 && cp -r {data} food", annexRepo, ct), "git annex init");
                await Settle(work, ct);
                // -J2: git-annex hashes on both cores, as obs does.
                annexAdd = Ensure(await Timed.RunAsync("git annex add -J2 -q food > /dev/null", annexRepo, ct), "git annex add");
                annexCommit = Ensure(await Timed.RunAsync("git commit -qm v1", annexRepo, ct), "git commit (annex)");
            }

            // Oxen's and git-annex's add hash and store; obs add also decodes every image and parses every label (the gate).
            // The same add without the gate, in a repository of its own, is the like-for-like figure.
            var bare = Path.Combine(work, "obs-novalidate");
            Directory.CreateDirectory(bare);
            Ensure(await Timed.RunAsync($"git init -q . && cp -al {data} food", bare, ct), "git init");
            Ensure(await Timed.ObsAsync(bare, ct, "init"), "obs init");
            await Settle(work, ct);
            var addBare = Ensure(await Timed.ObsAsync(bare, ct, "add", "food", "--no-validate", "-q"), "obs add --no-validate");
            await BenchProcess.ShellAsync($"rm -rf {bare}", work, ct);

            await Settle(work, ct);
            var add = Ensure(await Timed.ObsAsync(repo, ct, "add", "food", "-q"), "obs add");
            var commit = Ensure(await Timed.ObsAsync(repo, ct, "commit", "-m", "v1", "-q"), "obs commit");
            steps.Add(new("add --no-validate (hash and store)", addBare, annex ? "git annex add" : null, annexAdd, "Oxen 12.9 s"));
            steps.Add(new("add (also decodes every image, parses every label)", add));
            steps.Add(new("commit", commit, annex ? "git commit (annex)" : null, annexCommit, "Oxen 34.8 s"));

            var push = Ensure(await Timed.ObsAsync(repo, ct, "push", "-q"), "obs push");
            if (annex)
            {
                Directory.CreateDirectory(Path.Combine(work, "annex-remote"));
                Ensure(await Timed.RunAsync($"git annex initremote dir type=directory directory={Path.Combine(work, "annex-remote")} encryption=none >/dev/null 2>&1", annexRepo, ct), "annex initremote");
                annexCopy = Ensure(await Timed.RunAsync("git annex copy -J8 -q --to dir food > /dev/null", annexRepo, ct), "git annex copy");
            }
            var conf = Path.Combine(work, "rclone.conf");
            if (rclone)
            {
                await File.WriteAllTextAsync(conf, $"[s3r]\ntype = s3\nprovider = Other\nendpoint = http://127.0.0.1:{port}\naccess_key_id = S3RVER\nsecret_access_key = S3RVER\nregion = us-east-1\nforce_path_style = true\n", ct);
                rcloneUp = Ensure(await Timed.RunAsync($"env -u AWS_CA_BUNDLE rclone --config {conf} copy {data} s3r:rclone/food --transfers 8 --checkers 8 --fast-list", work, ct), "rclone up");
            }
            steps.Add(new("push to the local S3 server", push, rclone ? "rclone copy (up)" : null, rcloneUp, "Oxen 150 s, DVC ~720 s"));
            if (annexCopy is not null) steps.Add(new("push (peer: git annex copy to a directory remote)", push, "git annex copy --to dir", annexCopy));

            var clone = Path.Combine(work, "clone");
            var cloneStep = Ensure(await Timed.RunAsync($"git clone -q {repo} {clone} && cp {repo}/.obs/config.local {clone}/.obs/", work, ct), "git clone");
            await Settle(work, ct);
            var pull = Ensure(await Timed.ObsAsync(clone, ct, "pull", "-q"), "obs pull");
            var pulled = Directory.EnumerateFiles(Path.Combine(clone, "food"), "*", SearchOption.AllDirectories).Count();
            if (pulled != 2 * count + 1) throw new InvalidOperationException($"obs pull brought back {pulled} files of {2 * count + 1}");
            if (rclone)
            {
                await Settle(work, ct);
                rcloneDown = Ensure(await Timed.RunAsync($"env -u AWS_CA_BUNDLE rclone --config {conf} copy s3r:rclone/food {Path.Combine(work, "rclone-back")} --transfers 8 --checkers 8 --fast-list", work, ct), "rclone down");
                // s3rver's delimited listing drops the sub-folders of a prefix that also holds a file: --fast-list lists flat,
                // and the count proves the peer really brought everything back.
                var back = Directory.EnumerateFiles(Path.Combine(work, "rclone-back"), "*", SearchOption.AllDirectories).Count();
                if (back != 2 * count + 1) throw new InvalidOperationException($"rclone brought back {back} files of {2 * count + 1}");
            }
            steps.Add(new("fresh git clone + obs pull", cloneStep + pull, rclone ? "rclone copy (down)" : null, rcloneDown));

            await Timed.ObsAsync(repo, ct, "status");   // the first status after a commit fills the stat cache for files it has not seen
            var status = Ensure(await Timed.ObsAsync(repo, ct, "status"), "obs status");
            if (!status.Stdout.Contains("clean", StringComparison.Ordinal)) throw new InvalidOperationException("obs status did not say clean: " + status.Stdout);
            if (annex) annexStatus = Ensure(await Timed.RunAsync("git status --porcelain > /dev/null", annexRepo, ct), "git status (annex)");
            steps.Add(new("status, nothing changed", status, annex ? "git status (annex repo)" : null, annexStatus));

            // One image replaced by another's bytes (a real JPEG, new content for this path).
            var first = Directory.EnumerateFiles(Path.Combine(repo, "food", "images"), "*.jpg", SearchOption.AllDirectories).Order(StringComparer.Ordinal).First();
            var second = Directory.EnumerateFiles(Path.Combine(repo, "food", "images"), "*.jpg", SearchOption.AllDirectories).Order(StringComparer.Ordinal).Skip(1).First();
            File.Delete(first);   // a hard link to the source: replace the link, never write through it
            File.Copy(second, first);
            var changedStatus = Ensure(await Timed.ObsAsync(repo, ct, "status"), "obs status (changed)");
            var changedCommit = Ensure(await Timed.ObsAsync(repo, ct, "commit", "-m", "v2", "-q"), "obs commit (changed)");
            if (annex)
            {
                var rel = Path.GetRelativePath(repo, first);
                annexChange = Ensure(await Timed.RunAsync($"git annex unlock {rel} >/dev/null && cp {Path.GetRelativePath(repo, second)} {rel} && git annex add -q {rel} >/dev/null && git commit -qm v2", annexRepo, ct), "annex change");
            }
            steps.Add(new("one image changed: status", changedStatus));
            steps.Add(new("one image changed: commit", changedCommit, annex ? "git annex unlock+add+commit" : null, annexChange));

            var diff = Ensure(await Timed.ObsAsync(repo, ct, "diff", "HEAD~1", "HEAD", "--json"), "obs diff");
            var gitDiff = Ensure(await Timed.RunAsync("git diff --stat HEAD~1 HEAD > /dev/null", annex ? annexRepo : repo, ct), "git diff");
            steps.Add(new("diff of the two versions (with annotations)", diff, "git diff --stat", gitDiff));

            Console.WriteLine();
            Console.WriteLine($"{"step",-52} {"obs s",8} {"CPU/wall",8} {"peak RSS",10} {"load",5}   {"peer",-28} {"peer s",8} {"load",5}   anchor (their hardware)");
            foreach (var s in steps)
                Console.WriteLine($"{s.Name,-52} {s.Obs.Wall,8:0.00} {s.Obs.CpuShare,8:0.00} {BenchProcess.Mb(s.Obs.MaxRssBytes),10} {s.Obs.Load,5:0.0}   {s.PeerName ?? "",-28} {(s.Peer is { } p ? p.Wall.ToString("0.00", CultureInfo.InvariantCulture) : ""),8} {(s.Peer is { } q ? q.Load.ToString("0.0", CultureInfo.InvariantCulture) : ""),5}   {s.Anchor ?? ""}");
            Console.WriteLine("CPU/wall: (user + system) ÷ wall — near 2 on these 2 cores means computation-bound (hashing, decoding); near 0 means waiting on disk or requests.");
            Console.WriteLine("load: the one-minute load average as the step ended (above 2: the cores were shared with other work).");
            Console.WriteLine("goals: every obs step faster than Oxen's figure, peak RSS <= 500 MB");
            return 0;
        }
        finally
        {
            server.Kill(entireProcessTree: true);
            if (!args.Contains("--keep"))
                foreach (var d in new[] { "obs", "clone", "annex", "annex-remote", "rclone-back", "s3" })
                    await BenchProcess.ShellAsync($"chmod -R u+w {d} 2>/dev/null; rm -rf {d}", work, CancellationToken.None);
        }
    }

    /// <summary>
    /// N deterministic images in Food-101's shape (about 20–60 KB JPEGs) with YOLO labels, written once and kept (a marker says the
    /// folder is complete); rendering runs on every core.
    /// </summary>
    private static async Task<long> GenerateAsync(string root, int count, CancellationToken ct)
    {
        var marker = Path.Combine(root, "..", $".generated-{count}");
        if (!File.Exists(marker))
        {
            if (Directory.Exists(root)) Directory.Delete(root, recursive: true);
            var options = new SampleDatasetOptions { Width = 512, Height = 384, PngShare = 0, NoiseLevel = 24 };
            var started = System.Diagnostics.Stopwatch.StartNew();
            var done = 0;
            await Parallel.ForAsync(0, count, new ParallelOptions { CancellationToken = ct }, (i, _) =>
            {
                // 101 class folders, as Food-101 lays out its images.
                var folder = $"c{i % 101:D3}";
                var image = SampleDataset.RenderImage(1_000_003 * i + 17, options, out var objects);
                var imagePath = Path.Combine(root, "images", folder, $"{i:D6}.jpg");
                var labelPath = Path.Combine(root, "labels", folder, $"{i:D6}.txt");
                Directory.CreateDirectory(Path.GetDirectoryName(imagePath)!);
                Directory.CreateDirectory(Path.GetDirectoryName(labelPath)!);
                File.WriteAllBytes(imagePath, image);
                File.WriteAllText(labelPath, string.Concat(objects.Select(o => string.Create(CultureInfo.InvariantCulture,
                    $"{o.ClassId} {(o.X + o.W / 2.0) / options.Width:F6} {(o.Y + o.H / 2.0) / options.Height:F6} {(double)o.W / options.Width:F6} {(double)o.H / options.Height:F6}\n"))));
                if (Interlocked.Increment(ref done) % 5000 == 0) Console.Error.WriteLine($"generated {done:N0}/{count:N0} in {started.Elapsed.TotalSeconds:0} s");
                return ValueTask.CompletedTask;
            });
            File.WriteAllText(Path.Combine(root, "classes.txt"), string.Join('\n', options.Classes) + "\n");
            File.WriteAllText(marker, "ok");
        }
        return Directory.EnumerateFiles(root, "*", SearchOption.AllDirectories).Sum(f => new FileInfo(f).Length);
    }

    /// <summary>Dirty pages written out and the source read once, so every tool starts from the same warm page cache.</summary>
    private static Task Settle(string work, CancellationToken ct) =>
        BenchProcess.ShellAsync("sync; find source -type f -exec cat {} + > /dev/null", work, ct);

    private static Timed Ensure(Timed t, string what) =>
        t.ExitCode == 0 ? t : throw new InvalidOperationException($"{what} failed (exit {t.ExitCode}): {t.Stderr}");

    private static string Arg(string[] args, string name, string fallback)
    {
        var i = Array.IndexOf(args, name);
        return i >= 0 && i + 1 < args.Length ? args[i + 1] : fallback;
    }

    /// <summary>A command run under GNU time: wall seconds, user + system CPU seconds and the largest resident set of its processes.</summary>
    private sealed record Timed(int ExitCode, double Wall, double Cpu, long MaxRssBytes, string Stdout, string Stderr)
    {
        /// <summary>The one-minute load average when the command ended: above 2 on these 2 cores, something else shared them.</summary>
        public double Load { get; init; } = ReadLoad();

        private static double ReadLoad() =>
            File.Exists("/proc/loadavg") ? double.Parse(File.ReadAllText("/proc/loadavg").Split(' ')[0], CultureInfo.InvariantCulture) : 0;

        public double CpuShare => Wall > 0 ? Cpu / Wall : 0;

        public static Timed operator +(Timed a, Timed b) =>
            new(a.ExitCode | b.ExitCode, a.Wall + b.Wall, a.Cpu + b.Cpu, Math.Max(a.MaxRssBytes, b.MaxRssBytes), a.Stdout + b.Stdout, a.Stderr + b.Stderr) { Load = Math.Max(a.Load, b.Load) };

        public static Task<Timed> RunAsync(string command, string workingDirectory, CancellationToken ct) =>
            UnderTimeAsync(["/bin/bash", "-c", command], workingDirectory, ct);

        public static Task<Timed> ObsAsync(string workingDirectory, CancellationToken ct, params string[] args) =>
            UnderTimeAsync(["dotnet", Path.Combine(AppContext.BaseDirectory, "obs.dll"), .. args], workingDirectory, ct);

        private static async Task<Timed> UnderTimeAsync(string[] command, string workingDirectory, CancellationToken ct)
        {
            var report = Path.GetTempFileName();
            try
            {
                var r = await BenchProcess.RunAsync("/usr/bin/time", ["-f", "%e %U %S %M", "-o", report, "--", .. command], workingDirectory, ct);
                var f = File.ReadAllText(report).Trim().Split('\n')[^1].Split(' ');
                double D(int k) => double.Parse(f[k], CultureInfo.InvariantCulture);
                return new Timed(r.ExitCode, D(0), D(1) + D(2), long.Parse(f[3], CultureInfo.InvariantCulture) * 1024, r.Stdout, r.Stderr);
            }
            finally { File.Delete(report); }
        }
    }
}
