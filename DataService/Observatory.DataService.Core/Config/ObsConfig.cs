using Observatory.DataService.Core.Errors;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;
using YamlDotNet.Serialization;
using YamlDotNet.Serialization.NamingConventions;

namespace Observatory.DataService.Core.Config;

/// <summary>How workspace files relate to cache objects.</summary>
public enum CacheType
{
    Copy,
    Hardlink,
}

/// <summary>A configured remote: a URL (<c>s3://bucket/prefix</c> or a folder path) plus S3 settings.</summary>
public sealed class RemoteConfig
{
    public string? Url { get; set; }
    public string? Endpoint { get; set; }
    public string? Region { get; set; }
    public bool? UseSsl { get; set; }
    public string? AccessKey { get; set; }
    public string? SecretKey { get; set; }
    /// <summary>Objects up to this size travel in packs (bytes or 4M-style; 0 = never pack).</summary>
    public string? PackMaxObject { get; set; }
    /// <summary>Target size of one pack.</summary>
    public string? PackSize { get; set; }
}

/// <summary>
/// The content of <c>.obs/config</c> (committed) merged with <c>.obs/config.local</c> (ignored; credentials). YAML; unknown
/// sections are kept as raw YAML so other parts (validation rules) can read their own section.
/// </summary>
public sealed class ObsConfig
{
    public CoreSection Core { get; set; } = new();
    public CacheSection Cache { get; set; } = new();
    public Dictionary<string, RemoteConfig> Remotes { get; set; } = new(StringComparer.Ordinal);

    /// <summary>Raw YAML of the <c>validation:</c> section, or null when absent.</summary>
    [YamlIgnore]
    public string? ValidationYaml { get; set; }

    public sealed class CoreSection
    {
        public string? Remote { get; set; }
        public int? Jobs { get; set; }
    }

    public sealed class CacheSection
    {
        public CacheType Type { get; set; } = CacheType.Copy;
    }

    private static readonly IDeserializer Reader = new DeserializerBuilder()
        .WithNamingConvention(UnderscoredNamingConvention.Instance)
        .IgnoreUnmatchedProperties()
        .Build();

    private static readonly ISerializer Writer = new SerializerBuilder()
        .WithNamingConvention(UnderscoredNamingConvention.Instance)
        .ConfigureDefaultValuesHandling(DefaultValuesHandling.OmitNull | DefaultValuesHandling.OmitDefaults | DefaultValuesHandling.OmitEmptyCollections)
        .Build();

    public static ObsConfig Parse(string? text, string where)
    {
        if (string.IsNullOrWhiteSpace(text)) return new ObsConfig();
        try
        {
            // Bounded and depth-checked before the (recursive) deserializer sees it: a committed config is anyone's input.
            try { Annotations.GuardedYaml.Check(text, where); }
            catch (DataCheckException e) { throw new UsageException(e.Message); }
            var config = Reader.Deserialize<ObsConfig>(text) ?? new ObsConfig();
            config.Remotes = new Dictionary<string, RemoteConfig>(config.Remotes ?? [], StringComparer.Ordinal);
            config.ValidationYaml = ExtractSection(text, "validation");
            return config;
        }
        catch (YamlException ex)
        {
            throw new UsageException($"{where} is not valid configuration (line {ex.Start.Line}): {(ex.InnerException ?? ex).Message}");
        }
    }

    public string Serialize()
    {
        var text = Writer.Serialize(this);
        if (ValidationYaml is not null)
            text += "validation:\n" + string.Join('\n', ValidationYaml.Split('\n').Select(l => l.Length == 0 ? l : "  " + l)).TrimEnd() + "\n";
        return text;
    }

    /// <summary>Committed settings overlaid with local ones (credentials, per-machine endpoints).</summary>
    public static ObsConfig Merge(ObsConfig shared, ObsConfig local)
    {
        var merged = new ObsConfig
        {
            Core = new CoreSection { Remote = local.Core.Remote ?? shared.Core.Remote, Jobs = local.Core.Jobs ?? shared.Core.Jobs },
            Cache = local.Cache.Type != CacheType.Copy ? local.Cache : shared.Cache,
            ValidationYaml = local.ValidationYaml ?? shared.ValidationYaml,
        };
        foreach (var (name, remote) in shared.Remotes) merged.Remotes[name] = Clone(remote);
        foreach (var (name, remote) in local.Remotes)
        {
            if (!merged.Remotes.TryGetValue(name, out var target)) merged.Remotes[name] = target = new RemoteConfig();
            if (!string.IsNullOrEmpty(remote.Url)) target.Url = remote.Url;
            target.Endpoint = remote.Endpoint ?? target.Endpoint;
            target.Region = remote.Region ?? target.Region;
            target.UseSsl = remote.UseSsl ?? target.UseSsl;
            target.AccessKey = remote.AccessKey ?? target.AccessKey;
            target.SecretKey = remote.SecretKey ?? target.SecretKey;
            target.PackMaxObject = remote.PackMaxObject ?? target.PackMaxObject;
            target.PackSize = remote.PackSize ?? target.PackSize;
        }
        return merged;
    }

    private static RemoteConfig Clone(RemoteConfig r) => new()
    {
        Url = r.Url, Endpoint = r.Endpoint, Region = r.Region, UseSsl = r.UseSsl, AccessKey = r.AccessKey, SecretKey = r.SecretKey,
        PackMaxObject = r.PackMaxObject, PackSize = r.PackSize,
    };

    private static string? ExtractSection(string text, string name)
    {
        var stream = Annotations.GuardedYaml.Load(text, ".obs/config");
        if (stream.Documents.Count == 0 || stream.Documents[0].RootNode is not YamlMappingNode root) return null;
        foreach (var (key, value) in root.Children)
        {
            if (key is YamlScalarNode { Value: var k } && k == name)
            {
                var doc = new YamlStream(new YamlDocument(value));
                using var w = new StringWriter();
                doc.Save(w, assignAnchors: false);
                var yaml = w.ToString().Trim();
                if (yaml.EndsWith("...", StringComparison.Ordinal)) yaml = yaml[..^3].TrimEnd();
                return yaml + "\n";
            }
        }
        return null;
    }
}
