using System.Diagnostics;
using System.Text.Json;
using Observatory.Monitoring.Core.Drift;
using Observatory.Monitoring.Core.IO;
using Observatory.Testing;

namespace Observatory.Cli.Tests;

/// <summary>`obs drift` end to end: the real obs.dll in a child process, real files in a temp folder.</summary>
public sealed class DriftCommandTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("obs-drift-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private static Task<(int Code, string Out, string Err)> Obs(params string[] args) => ObsIn(null, args);

    private static async Task<(int Code, string Out, string Err)> ObsIn(string? workingDirectory, params string[] args)
    {
        var psi = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        if (workingDirectory is not null) psi.WorkingDirectory = workingDirectory;
        psi.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "obs.dll"));
        foreach (var a in args) psi.ArgumentList.Add(a);
        using var p = Process.Start(psi)!;
        var stdout = p.StandardOutput.ReadToEndAsync();
        var stderr = p.StandardError.ReadToEndAsync();
        await p.WaitForExitAsync();
        return (p.ExitCode, await stdout, await stderr);
    }

    private string Npy(string name, int rows, int cols, double shift, int seed, bool float32 = false)
    {
        var rng = new MathNet.Numerics.Random.MersenneTwister(seed);
        var data = new double[rows * cols];
        MathNet.Numerics.Distributions.Normal.Samples(rng, data, 0, 1);
        for (var k = 0; k < data.Length; k += cols) data[k] += shift; // shift dimension 0 only
        var path = Path.Combine(_dir, name);
        NpyWriter.Write(path, new DataMatrix(rows, cols, data), float32);
        return path;
    }

    private string Text(string name, string text)
    {
        var path = Path.Combine(_dir, name);
        File.WriteAllText(path, text);
        return path;
    }

    [Fact]
    public async Task Drift_WithJson_PrintsOneObjectPerMethodAndExitsZeroEvenWhenDrifted()
    {
        var a = Npy("a.npy", 300, 6, 0.0, 1);
        var b = Npy("b.npy", 250, 6, 1.0, 2, float32: true);
        var (code, stdout, stderr) = await Obs("drift", "--reference", a, "--current", b, "--json");
        Assert.True(code == 0, stderr);
        using var doc = JsonDocument.Parse(stdout);
        var root = doc.RootElement;
        Assert.Equal(a, root.GetProperty("reference").GetProperty("path").GetString());
        Assert.Equal(300, root.GetProperty("reference").GetProperty("n").GetInt32());
        Assert.Equal(6, root.GetProperty("current").GetProperty("d").GetInt32());
        var methods = root.GetProperty("methods").EnumerateArray().ToDictionary(m => m.GetProperty("method").GetString()!);
        Assert.Equal(["mmd", "ks", "classifier", "wasserstein", "psi"], methods.Keys);
        Assert.True(methods["ks"].GetProperty("drifted").GetBoolean());
        Assert.Equal([0], methods["ks"].GetProperty("details").GetProperty("drifted_dimensions_bonferroni").EnumerateArray().Select(e => e.GetInt32()));
        Assert.True(methods["mmd"].GetProperty("p_value").GetDouble() < 0.05);
        Assert.Equal(6, methods["wasserstein"].GetProperty("details").GetProperty("values").GetArrayLength());
        Assert.False(methods["classifier"].TryGetProperty("p_value", out _));
    }

    [Fact]
    public async Task Drift_Table_ShowsEachChosenMethodAndVerdict()
    {
        var a = Npy("a.npy", 2000, 3, 0.0, 3);
        var b = Npy("b.npy", 2000, 3, 0.0, 4);
        var (code, stdout, stderr) = await Obs("drift", "--reference", a, "--current", b, "--method", "ks,mean_distance,js", "--policy", "any-of:ks");
        Assert.True(code == 0, stderr);
        Assert.Contains("(n=2000, d=3)", stdout);
        Assert.Contains("mean_distance", stdout);
        Assert.Contains("js", stdout);
        Assert.Contains("rows used", stdout);
        Assert.Contains("2000 / 2000", stdout);
        Assert.DoesNotContain("mmd", stdout);
        Assert.Contains("no method reports drift", stdout);
        Assert.Contains("verdict: no drift — policy any-of:ks: drift when ks votes drift; a p-value method votes drift at p < 0.05 (α, no correction needed)", stdout);
    }

    [Fact]
    public async Task Drift_Table_WithAnEffectSizeMethodInThePolicy_SaysItVotesOutsideTheAlphaBound()
    {
        var a = Npy("a.npy", 500, 2, 0.0, 3);
        var b = Npy("b.npy", 500, 2, 0.0, 4);
        var (code, stdout, stderr) = await Obs("drift", "--reference", a, "--current", b, "--method", "ks", "--policy", "all-of:ks,wasserstein", "--fail-on-drift");
        Assert.True(code == 0, stderr);
        Assert.Contains("wasserstein", stdout);
        Assert.Contains("verdict: no drift — policy all-of:ks,wasserstein: drift when all of ks, wasserstein vote drift", stdout);
        Assert.Contains("policy note: wasserstein votes by its effect-size threshold, outside the α bound", stdout);
    }

    [Fact]
    public async Task Drift_CsvWithHeaderAgainstNpy_Works()
    {
        var rows = string.Join("\n", Enumerable.Range(0, 40).Select(i => $"{i % 7 * 0.5},{i % 5 - 2.0}"));
        var a = Text("a.csv", "x,y\n" + rows + "\n");
        var b = Npy("b.npy", 40, 2, 0.0, 5);
        var (code, stdout, stderr) = await Obs("drift", "--reference", a, "--current", b, "--method", "ks,wasserstein", "--json");
        Assert.True(code == 0, stderr);
        Assert.Equal(40, JsonDocument.Parse(stdout).RootElement.GetProperty("reference").GetProperty("n").GetInt32());
    }

    public static TheoryData<string, string, string> BadInputs => new()
    {
        { "ragged.csv", "1,2\n3,4,5\n", "ragged CSV: line 2 has 3 fields, expected 2" },
        { "nan.csv", "1,2\nnan,4\n", "contains NaN at row 1, column 0" },
        { "inf.csv", "1,2\n3,-inf\n", "contains Inf at row 1, column 1" },
        { "empty.csv", "", "file is empty" },
        { "empty.npy", "", "file is empty" },
        { "words.csv", "a,b\n1,x\n", "'x' is not a number" },
    };

    [Theory]
    [MemberData(nameof(BadInputs))]
    public async Task Drift_BadTextInput_ExitsTwoNamingFileAndProblem(string name, string content, string problem)
    {
        var bad = Text(name, content);
        var good = Npy("good.npy", 10, 2, 0, 6);
        var (code, _, stderr) = await Obs("drift", "--reference", good, "--current", bad);
        Assert.Equal(2, code);
        Assert.Contains(bad, stderr);
        Assert.Contains(problem, stderr);
    }

    [Theory]
    [InlineData("<f8", "(5,)", "1-D array")]
    [InlineData("<i4", "(2, 2)", "dtype '<i4' is not supported")]
    public async Task Drift_BadNpy_ExitsTwoNamingFileAndProblem(string descr, string shape, string problem)
    {
        var header = $"{{'descr': '{descr}', 'fortran_order': False, 'shape': {shape}, }}".PadRight(117) + "\n";
        var bytes = new List<byte> { 0x93 };
        bytes.AddRange("NUMPY"u8.ToArray());
        bytes.AddRange([1, 0, (byte)header.Length, 0]);
        bytes.AddRange(System.Text.Encoding.Latin1.GetBytes(header));
        bytes.AddRange(new byte[40]);
        var bad = Path.Combine(_dir, "bad.npy");
        File.WriteAllBytes(bad, bytes.ToArray());
        var (code, _, stderr) = await Obs("drift", "--reference", bad, "--current", Npy("good.npy", 10, 2, 0, 7));
        Assert.Equal(2, code);
        Assert.Contains(bad, stderr);
        Assert.Contains(problem, stderr);
    }

    [Fact]
    public async Task Drift_MismatchedDimensions_ExitsTwoNamingBothFiles()
    {
        var a = Npy("a.npy", 10, 3, 0, 8);
        var b = Npy("b.npy", 10, 4, 0, 9);
        var (code, _, stderr) = await Obs("drift", "--reference", a, "--current", b);
        Assert.Equal(2, code);
        Assert.Contains($"{b}: has 4 dimensions but the reference {a} has 3", stderr);
    }

    [Fact]
    public async Task Drift_UnknownMethodOrMissingFile_ExitsTwo()
    {
        var a = Npy("a.npy", 10, 2, 0, 10);
        var (code, _, stderr) = await Obs("drift", "--reference", a, "--current", a, "--method", "ks,energy");
        Assert.Equal(2, code);
        Assert.Contains("unknown method 'energy'", stderr);
        var missing = Path.Combine(_dir, "missing.npy");
        (code, _, stderr) = await Obs("drift", "--reference", missing, "--current", a);
        Assert.Equal(2, code);
        Assert.Contains($"{missing}: file not found", stderr);
    }

    /// <summary>Uniform-looking rows from a fixed hash, so both files come from one distribution and the numbers are reproducible.</summary>
    private string HashCsv(string name, int first, int rows, int cols)
    {
        static double Value(int i, int j)
        {
            var x = Math.Sin((i * 31 + j + 1) * 12.9898) * 43758.5453;
            return x - Math.Floor(x);
        }
        return Text(name, string.Concat(Enumerable.Range(first, rows).Select(i =>
            string.Join(",", Enumerable.Range(0, cols).Select(j => Value(i, j).ToString("F6", System.Globalization.CultureInfo.InvariantCulture))) + "\n")));
    }

    [Fact]
    public async Task Drift_HumanOutput_StatesTheMmdComparisonAsFoundAndExplainsNoiseAndALoneMeanDistance()
    {
        // Same distribution on both sides: MMD² and the classifier's AUC land below their null values and only mean_distance fires.
        var a = HashCsv("a.csv", 200, 40, 16);
        var b = HashCsv("b.csv", 240, 40, 16);
        var (code, stdout, stderr) = await Obs("drift", "--reference", a, "--current", b, "--method", "mmd,classifier,mean_distance", "--json");
        Assert.True(code == 0, stderr);
        var methods = JsonDocument.Parse(stdout).RootElement.GetProperty("methods").EnumerateArray().ToDictionary(m => m.GetProperty("method").GetString()!);
        Assert.True(methods["mmd"].GetProperty("statistic").GetDouble() < 0, stdout);
        Assert.True(methods["classifier"].GetProperty("statistic").GetDouble() < 0.5, stdout);
        Assert.Equal(["mean_distance"], methods.Values.Where(m => m.GetProperty("drifted").GetBoolean()).Select(m => m.GetProperty("method").GetString()));

        (code, stdout, stderr) = await Obs("drift", "--reference", a, "--current", b, "--method", "mmd,classifier,mean_distance");
        Assert.True(code == 0, stderr);
        Assert.Contains("p ≥ α=0.05", stdout);
        Assert.DoesNotContain("p < α", stdout);
        Assert.Contains("MMD² below 0 is sampling noise", stdout);
        Assert.Contains("AUC below 0.5 is sampling noise", stdout);
        Assert.Contains("only mean_distance reports drift; it raises false alarms on 15.5 % of no-drift windows (drift-fpr benchmark)", stdout);
    }

    [Fact]
    public async Task Drift_Json_HasTheVerdictAndThePolicyThatDecidedIt_AndRowsUsedPerMethod()
    {
        var a = Npy("a.npy", 300, 6, 0.0, 1);
        var b = Npy("b.npy", 250, 6, 1.0, 2);
        var (code, stdout, stderr) = await Obs("drift", "--reference", a, "--current", b, "--method", "wasserstein", "--json");
        Assert.True(code == 0, stderr);
        var root = JsonDocument.Parse(stdout).RootElement;
        Assert.True(root.GetProperty("drift").GetBoolean());
        var policy = root.GetProperty("policy");
        Assert.Equal("default", policy.GetProperty("name").GetString());
        Assert.Equal("any-of", policy.GetProperty("rule").GetString());
        Assert.Equal(["mmd", "ks"], policy.GetProperty("methods").EnumerateArray().Select(m => m.GetString()));
        Assert.Equal("bonferroni", policy.GetProperty("correction").GetString());
        Assert.Equal(0.025, policy.GetProperty("method_alpha").GetDouble());
        Assert.Equal(2, policy.GetProperty("votes").GetArrayLength());
        // The policy's methods run even when --method leaves them out.
        var methods = root.GetProperty("methods").EnumerateArray().ToDictionary(m => m.GetProperty("method").GetString()!);
        Assert.Equal(["wasserstein", "mmd", "ks"], methods.Keys);
        Assert.Equal(300, methods["ks"].GetProperty("rows_used").GetProperty("reference").GetInt32());
        Assert.Equal(250, methods["wasserstein"].GetProperty("rows_used").GetProperty("current").GetInt32());
        Assert.Equal(250, methods["mmd"].GetProperty("rows_used").GetProperty("current").GetInt32());
    }

    [Fact]
    public async Task Drift_FailOnDrift_ExitsOneOnDrift_ZeroWithout_TwoOnBadInput()
    {
        var same1 = Npy("same1.npy", 2000, 3, 0.0, 3);
        var same2 = Npy("same2.npy", 2000, 3, 0.0, 4);
        var shifted = Npy("shifted.npy", 2000, 3, 0.5, 5);

        var (code, stdout, stderr) = await Obs("drift", "--reference", same1, "--current", shifted, "--fail-on-drift");
        Assert.True(code == 1, stderr);
        Assert.Contains("verdict: DRIFT (mmd, ks voted drift) — policy default", stdout);
        (code, stdout, stderr) = await Obs("drift", "--reference", same1, "--current", shifted);
        Assert.True(code == 0, stderr);

        (code, stdout, stderr) = await Obs("drift", "--reference", same1, "--current", same2, "--fail-on-drift", "--json");
        Assert.True(code == 0, stderr);
        Assert.False(JsonDocument.Parse(stdout).RootElement.GetProperty("drift").GetBoolean());

        (code, _, stderr) = await Obs("drift", "--reference", same1, "--current", shifted, "--fail-on-drift", "--policy", "strict");
        Assert.Equal(2, code);
        Assert.Contains("--policy: 'strict' is not a drift policy; valid: default, any-of:", stderr);
        (code, _, stderr) = await Obs("drift", "--reference", same1, "--current", Npy("four.npy", 20, 4, 0, 6), "--fail-on-drift");
        Assert.Equal(2, code);
        Assert.Contains("has 4 dimensions", stderr);
        (code, _, stderr) = await Obs("drift", "--reference", same1, "--current", shifted, "--json", "--md");
        Assert.Equal(2, code);
        Assert.Contains("choose one output format", stderr);
    }

    /// <summary>The pull-request comment, byte for byte against Golden/drift.md (OBS_UPDATE_GOLDEN=1 rewrites it after an intended change).</summary>
    [Fact]
    public async Task Drift_Markdown_IsTheVerdictLineThenOneRowPerMethod_AsTheGoldenFile()
    {
        Npy("ref.npy", 400, 4, 0.0, 11);
        Npy("cur.npy", 400, 4, 0.4, 12);
        var (code, stdout, stderr) = await ObsIn(_dir, "drift", "--reference", "ref.npy", "--current", "cur.npy", "--method", "ks,wasserstein,classifier", "--md");
        Assert.True(code == 0, stderr);
        var golden = Path.Combine(RepoLocator.Root, "tests", "Observatory.Cli.Tests", "Golden", "drift.md");
        if (Environment.GetEnvironmentVariable("OBS_UPDATE_GOLDEN") == "1")
        {
            Directory.CreateDirectory(Path.GetDirectoryName(golden)!);
            File.WriteAllText(golden, stdout);
        }
        Assert.Equal(File.ReadAllText(golden), stdout);
        Assert.StartsWith("**Drift: yes** (`mmd`, `ks` voted drift) — policy `default`", stdout);
    }
}
