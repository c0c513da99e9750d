using System.Text.Json;
using System.Text.RegularExpressions;
using Observatory.Testing;
using YamlDotNet.Core;
using YamlDotNet.Serialization;

namespace Observatory.DataService.Tests.Deployment;

/// <summary>
/// There is no container engine here, so compose.yaml is checked against the code instead: every .NET service builds a
/// project that exists, listens on the port its mapping names, and every variable it sets is a configuration key of that
/// service (a key of its appsettings.json, or a variable the code reads by name).
/// </summary>
public sealed partial class ComposeFileTests
{
    private static readonly string Root = RepoLocator.Root;

    private static Dictionary<string, object> Compose()
    {
        using var reader = new StreamReader(Path.Combine(Root, "compose.yaml"));
        var parser = new MergingParser(new Parser(reader)); // resolves the `<<: *monitoring` merge keys
        return new DeserializerBuilder().Build().Deserialize<Dictionary<string, object>>(parser);
    }

    private static Dictionary<object, object> Services() => (Dictionary<object, object>)Compose()["services"];

    public static TheoryData<string> DotnetServices()
    {
        var data = new TheoryData<string>();
        foreach (var (name, body) in Services())
            if (((Dictionary<object, object>)body).ContainsKey("build")) data.Add((string)name);
        return data;
    }

    [Fact]
    public void Compose_NamesTheScaleOutParts()
    {
        var services = Services().Keys.Cast<string>().ToList();
        Assert.Contains("minio", services);
        Assert.Contains("postgres", services);
        Assert.Contains("dataservice", services);
        Assert.Contains("dashboard", services);
        Assert.True(services.Count(s => s.StartsWith("monitoring-", StringComparison.Ordinal)) >= 2, "several Monitoring instances share one schedule");
        var setup = (Dictionary<object, object>)Services()["minio-setup"];
        Assert.Contains("mc mb --ignore-existing local/datasets", string.Join(' ', ((List<object>)setup["entrypoint"]).Cast<string>()));
        foreach (var (name, body) in Services())
            if (((Dictionary<object, object>)body).TryGetValue("depends_on", out var deps))
                foreach (var dep in (List<object>)deps) Assert.True(Services().ContainsKey(dep), $"{name} depends on unknown service {dep}");
    }

    [Theory]
    [MemberData(nameof(DotnetServices))]
    public void DotnetService_BuildsAnExistingProject_OnThePortItPublishes(string service)
    {
        var body = (Dictionary<object, object>)Services()[service];
        var build = (Dictionary<object, object>)body["build"];
        var dockerfile = Path.Combine(Root, (string)build["dockerfile"]);
        Assert.True(File.Exists(dockerfile), $"{service}: {dockerfile} is missing");
        var text = File.ReadAllText(dockerfile);
        var project = PublishPattern().Match(text).Groups[1].Value;
        Assert.True(File.Exists(Path.Combine(Root, project)), $"{service}: Dockerfile publishes {project}, which does not exist");
        var exposed = ExposePattern().Match(text).Groups[1].Value;
        var env = Environment(body);
        Assert.Equal(exposed, env["ASPNETCORE_HTTP_PORTS"]);
        var ports = body.TryGetValue("ports", out var published) ? ((List<object>)published).Cast<string>().ToList() : [];
        var inside = body.TryGetValue("expose", out var exposedList) ? ((List<object>)exposedList).Cast<string>().ToList() : [];
        Assert.True(ports.Any(p => p.EndsWith(":" + exposed, StringComparison.Ordinal)) || inside.Contains(exposed),
            $"{service}: neither publishes nor exposes {exposed}");
    }

    /// <summary>
    /// Hardening finding 5: compose published MinIO, PostgreSQL and every service on all interfaces with default passwords.
    /// Only the dashboard and the S3 port are published now; every secret comes from an uncommitted .env and compose refuses
    /// to start without it; images run as a non-root user, are pinned, and never carry local credentials or work folders.
    /// </summary>
    [Fact]
    public void Finding5_ComposePublishesOnlyTheDashboardAndS3_AndTakesEverySecretFromTheEnvFile()
    {
        var published = Services().Where(kv => ((Dictionary<object, object>)kv.Value).ContainsKey("ports"))
            .ToDictionary(kv => (string)kv.Key, kv => ((List<object>)((Dictionary<object, object>)kv.Value)["ports"]).Cast<string>().ToList());
        Assert.Equal(["dashboard", "minio"], published.Keys.Order(StringComparer.Ordinal));
        Assert.Equal(["9000:9000"], published["minio"]);

        var text = File.ReadAllText(Path.Combine(Root, "compose.yaml"));
        foreach (var (name, body) in Services())
        {
            var b = (Dictionary<object, object>)body;
            Assert.False(b.TryGetValue("image", out var image) && ((string)image).EndsWith(":latest", StringComparison.Ordinal), $"{name}: image not pinned");
            Assert.False(b.TryGetValue("image", out image) && !((string)image).Contains(':', StringComparison.Ordinal), $"{name}: image without a tag");
            if (!b.TryGetValue("environment", out var env)) continue;
            foreach (var (key, value) in (Dictionary<object, object>)env)
            {
                var k = (string)key;
                if (!SecretName().IsMatch(k) && !((string)value).Contains("Password=", StringComparison.Ordinal)) continue;
                Assert.Matches(@"\$\{[A-Z0-9_]+:\?[^}]+\}", (string)value);
            }
        }
        Assert.DoesNotContain("observatory-secret", text);
        Assert.DoesNotContain("change-me", text);

        // The variables compose needs are documented in the committed example, and the real file is never committed.
        var example = File.ReadAllText(Path.Combine(Root, ".env.example"));
        foreach (Match m in RequiredVariable().Matches(text)) Assert.Contains(m.Groups[1].Value + "=", example);
        Assert.Contains(".env", File.ReadAllLines(Path.Combine(Root, ".gitignore")));
        var dockerignore = File.ReadAllLines(Path.Combine(Root, ".dockerignore"));
        foreach (var entry in new[] { ".env", "**/.obs/config.local", ".work/" }) Assert.Contains(entry, dockerignore);
        foreach (var service in Services().Where(kv => ((Dictionary<object, object>)kv.Value).ContainsKey("build")).Select(kv => (string)kv.Key))
        {
            var dockerfile = File.ReadAllText(Path.Combine(Root, (string)((Dictionary<object, object>)((Dictionary<object, object>)Services()[service])["build"])["dockerfile"]));
            Assert.Contains("USER $APP_UID", dockerfile);
            Assert.DoesNotMatch(@"(?m)^FROM \S+:\d+\.\d+( |\r?$)", dockerfile); // major.minor only floats; pinned to a patch
        }
    }

    [GeneratedRegex(@"(?i)(password|secret|apikey|api_key)")]
    private static partial Regex SecretName();

    [GeneratedRegex(@"\$\{([A-Z0-9_]+):\?")]
    private static partial Regex RequiredVariable();

    [Theory]
    [MemberData(nameof(DotnetServices))]
    public void DotnetService_SetsOnlyVariablesItsCodeReads(string service)
    {
        var body = (Dictionary<object, object>)Services()[service];
        var project = PublishPattern().Match(File.ReadAllText(Path.Combine(Root, (string)((Dictionary<object, object>)body["build"])["dockerfile"]))).Groups[1].Value;
        var projectDir = Path.GetDirectoryName(Path.Combine(Root, project))!;
        using var settings = JsonDocument.Parse(File.ReadAllText(Path.Combine(projectDir, "appsettings.json")));
        var sources = Directory.EnumerateFiles(Path.Combine(Root, "DataService"), "*.cs", SearchOption.AllDirectories)
            .Concat(Directory.EnumerateFiles(Path.Combine(Root, "Monitoring"), "*.cs", SearchOption.AllDirectories))
            .Concat(Directory.EnumerateFiles(Path.Combine(Root, "Dashboard"), "*.cs", SearchOption.AllDirectories))
            .Where(f => !f.Contains("/obj/", StringComparison.Ordinal) && !f.Contains("/bin/", StringComparison.Ordinal))
            .Select(File.ReadAllText).ToList();
        foreach (var name in Environment(body).Keys)
        {
            if (name == "ASPNETCORE_HTTP_PORTS") continue; // ASP.NET Core's own
            if (name.Contains("__", StringComparison.Ordinal) || HasKey(settings.RootElement, [name]))
            {
                Assert.True(HasKey(settings.RootElement, name.Split("__")), $"{service}: {name} is not a key of {Path.GetRelativePath(Root, projectDir)}/appsettings.json");
            }
            else
            {
                Assert.True(sources.Any(s => s.Contains('"' + name + '"', StringComparison.Ordinal)), $"{service}: no code reads the variable {name}");
            }
        }
    }

    private static Dictionary<string, string> Environment(Dictionary<object, object> body) =>
        ((Dictionary<object, object>)body["environment"]).ToDictionary(kv => (string)kv.Key, kv => (string)kv.Value);

    /// <summary>Configuration keys are case-insensitive; an array in appsettings accepts any index below it.</summary>
    private static bool HasKey(JsonElement element, string[] path)
    {
        if (path.Length == 0) return true;
        if (element.ValueKind == JsonValueKind.Array) return int.TryParse(path[0], out _);
        if (element.ValueKind != JsonValueKind.Object) return false;
        foreach (var p in element.EnumerateObject())
            if (string.Equals(p.Name, path[0], StringComparison.OrdinalIgnoreCase))
                return HasKey(p.Value, path[1..]);
        return false;
    }

    [GeneratedRegex(@"dotnet publish (\S+\.csproj)")]
    private static partial Regex PublishPattern();

    [GeneratedRegex(@"EXPOSE (\d+)")]
    private static partial Regex ExposePattern();
}
