using System.Diagnostics;
using System.IO.Compression;
using Observatory.Monitoring.Core.IO;
using Observatory.Samples;
using Observatory.Testing;

namespace Observatory.Cli.Tests;

/// <summary>
/// `dotnet pack` of the CLI makes a small pointer package plus one package per platform (each with only its own native
/// libraries), and `dotnet tool install` of it gives a working `obs`.
/// </summary>
public sealed class ToolPackageTests
{
    private static readonly string[] Platforms = ["linux-x64", "linux-arm64", "osx-arm64", "win-x64"];

    [Fact]
    public async Task Pack_MakesOnePackagePerPlatform_AndTheInstalledToolRunsInit()
    {
        using var feed = new TempDirectory("nupkg");
        using var tool = new TempDirectory("obstool");
        using var packages = new TempDirectory("nugetpkgs");
        using var repo = new GitSandbox("toolinit");

        // Packed from a copy of the sources: a pack restores the tool's projects for every platform it lists, and doing that in the
        // checkout would rewrite the restore results other test assemblies are building and publishing from at the same time.
        using var sources = new TempDirectory("packsrc");
        CopySources(RepoLocator.Root, sources.Path);
        await RunAsync("dotnet", sources.Path, ["pack", Path.Combine(sources.Path, "DataService", "Observatory.Cli"), "-c", "Release", $"-p:PackageOutputPath={feed.Path}"]);

        var files = Directory.GetFiles(feed.Path, "*.nupkg").Select(Path.GetFileName).ToList();
        var primary = Assert.Single(files, f => f!.StartsWith("Observatory.Cli.0", StringComparison.Ordinal));
        // The primary package only names the platform packages: a user downloads it and their platform's, nothing else.
        Assert.True(new FileInfo(feed.Combine(primary!)).Length < 64 * 1024, $"{primary} is {new FileInfo(feed.Combine(primary!)).Length} bytes");
        foreach (var rid in Platforms)
        {
            var name = Assert.Single(files, f => f!.StartsWith($"Observatory.Cli.{rid}.", StringComparison.Ordinal));
            using var zip = ZipFile.OpenRead(feed.Combine(name!));
            var entries = zip.Entries.Select(e => e.FullName).ToList();
            Assert.Contains(entries, e => e.EndsWith("/obs.dll", StringComparison.Ordinal));
            Assert.DoesNotContain(entries, e => e.Contains("/runtimes/", StringComparison.Ordinal));
            // This platform's native libraries sit beside obs.dll (libSkiaSharp.so / .dylib / .dll, ...); no native symbols.
            Assert.Contains(entries, e => Path.GetFileNameWithoutExtension(e) is "libSkiaSharp" && !e.EndsWith(".pdb", StringComparison.Ordinal));
            Assert.Contains(entries, e => Path.GetFileNameWithoutExtension(e) is "onnxruntime" or "libonnxruntime");
            Assert.DoesNotContain(entries, e => e.EndsWith("libSkiaSharp.pdb", StringComparison.Ordinal));
        }

        // Only the local feed (and a private package folder, so an older 0.1.0 cached elsewhere cannot stand in for this one).
        var config = feed.Combine("nuget.config");
        File.WriteAllText(config, $"""
            <?xml version="1.0" encoding="utf-8"?>
            <configuration>
              <packageSources><clear /><add key="local" value="{feed.Path}" /></packageSources>
            </configuration>
            """);
        await RunAsync("dotnet", feed.Path, ["tool", "install", "--tool-path", tool.Path, "--configfile", config, "Observatory.Cli"],
            new Dictionary<string, string> { ["NUGET_PACKAGES"] = packages.Path });

        var obs = Path.Combine(tool.Path, "obs");
        var help = await RunAsync(obs, repo.Root, ["--help"]);
        Assert.Contains("init", help);
        Assert.Contains("embed", help);
        await RunAsync(obs, repo.Root, ["init"]);
        Assert.True(File.Exists(repo.PathOf(".obs/config")));
        // The platform's native libraries load from the installed package: SQLite (add), SkiaSharp and ONNX Runtime (embed).
        SampleDataset.Generate(repo.PathOf("data/shapes"), new SampleDatasetOptions { TrainCount = 8, ValCount = 0, Seed = 3 });
        await RunAsync(obs, repo.Root, ["add", "data/shapes"]);
        await RunAsync(obs, repo.Root, ["embed", "data/shapes", "-o", "e.npy"]);
        Assert.Equal(8, NpyReader.Read(repo.PathOf("e.npy")).Rows);
    }

    private static async Task<string> RunAsync(string file, string workingDirectory, IEnumerable<string> args, IDictionary<string, string>? env = null)
    {
        var psi = new ProcessStartInfo(file) { WorkingDirectory = workingDirectory, RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var a in args) psi.ArgumentList.Add(a);
        // The test host's MSBuild variables would steer the child build at the test's own SDK resolution.
        foreach (var key in psi.Environment.Keys.Where(k => k.StartsWith("MSBUILD", StringComparison.OrdinalIgnoreCase)).ToList()) psi.Environment.Remove(key);
        psi.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
        psi.Environment["DOTNET_NOLOGO"] = "1";
        foreach (var (k, v) in env ?? new Dictionary<string, string>()) psi.Environment[k] = v;
        using var process = Process.Start(psi)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var cts = new CancellationTokenSource(TimeSpan.FromMinutes(15));
        try { await process.WaitForExitAsync(cts.Token); }
        catch (OperationCanceledException) { process.Kill(entireProcessTree: true); throw; }
        var output = await stdout;
        Assert.True(process.ExitCode == 0, $"{file} {string.Join(' ', psi.ArgumentList)} exited {process.ExitCode}\n{output}\n{await stderr}");
        return output;
    }

    /// <summary>The build inputs of the tool (props, global.json, editorconfig, DataService and Monitoring sources), without build outputs.</summary>
    private static void CopySources(string root, string target)
    {
        foreach (var file in new[] { "Directory.Build.props", "Directory.Packages.props", "global.json", ".editorconfig" })
            if (File.Exists(Path.Combine(root, file))) File.Copy(Path.Combine(root, file), Path.Combine(target, file));
        foreach (var folder in new[] { "DataService", "Monitoring" })
        {
            foreach (var file in Directory.EnumerateFiles(Path.Combine(root, folder), "*", SearchOption.AllDirectories))
            {
                var relative = Path.GetRelativePath(root, file);
                var parts = relative.Split(Path.DirectorySeparatorChar);
                if (parts.Contains("bin") || parts.Contains("obj")) continue;
                var destination = Path.Combine(target, relative);
                Directory.CreateDirectory(Path.GetDirectoryName(destination)!);
                File.Copy(file, destination);
            }
        }
    }
}
