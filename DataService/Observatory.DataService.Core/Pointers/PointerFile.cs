using System.Globalization;
using Observatory.DataService.Core.Errors;
using Observatory.DataService.Core.Objects;
using YamlDotNet.Core;
using YamlDotNet.Serialization;
using YamlDotNet.Serialization.NamingConventions;

namespace Observatory.DataService.Core.Pointers;

/// <summary>Validation summary kept in a pointer so `obs log` shows it without reading the report object.</summary>
public sealed record ValidationSummary(int Errors, int Warnings, ContentHash? Report);

/// <summary>Where an imported dataset came from, so `obs update` can move it to a newer revision.</summary>
public sealed record PointerSource(string Repo, string Path, string Rev, string Commit);

/// <summary>
/// Where the files of an `obs import-window` came from: the monitoring service's export of one drift window (the service, the
/// model and its version, the window, the selection rule and count asked for, and the export's id, which the service keeps until
/// it is deleted). Kept through later `add`s, like <see cref="PointerSource"/>, so the reviewed version still says where its
/// images came from.
/// </summary>
public sealed record PointerExport(string Service, string Model, string? ModelVersion, DateTimeOffset WindowStart, DateTimeOffset WindowEnd,
    string Select, int Count, string Id);

/// <summary>
/// The small YAML file <c>&lt;dataset&gt;.obs</c> committed to git: it names the tree object of the dataset's files.
/// <see cref="Path"/> is relative to the folder holding the pointer, like DVC's <c>outs.path</c>.
/// </summary>
/// <remarks>
/// <see cref="Version"/> is the N of <c>&lt;name&gt;@vN</c> when `obs commit --tag` made this version: the name then resolves
/// from history alone, in a clone that never fetched tags. A changed tree drops it until the next tagged commit.
/// </remarks>
public sealed record PointerFile(string Path, ContentHash Tree, long Files, long Bytes, ValidationSummary? Validation = null, PointerSource? Source = null,
    int? Version = null, PointerExport? Export = null)
{
    public const string Extension = ".obs";
    private const int MaxPointerBytes = 64 * 1024;

    private static readonly IDeserializer Reader = new DeserializerBuilder()
        .WithNamingConvention(UnderscoredNamingConvention.Instance)
        .IgnoreUnmatchedProperties()
        .Build();

    private static readonly ISerializer Writer = new SerializerBuilder()
        .WithNamingConvention(UnderscoredNamingConvention.Instance)
        .ConfigureDefaultValuesHandling(DefaultValuesHandling.OmitNull)
        .Build();

    public string Serialize()
    {
        var dto = new Dto
        {
            Path = Path,
            Hash = "sha256",
            Tree = Tree.Hex,
            Files = Files,
            Bytes = Bytes,
            Validation = Validation is null ? null : new ValidationDto { Errors = Validation.Errors, Warnings = Validation.Warnings, Report = Validation.Report?.Hex },
            Source = Source is null ? null : new SourceDto { Repo = Source.Repo, Path = Source.Path, Rev = Source.Rev, Commit = Source.Commit },
            Version = Version,
            Export = Export is null ? null : new ExportDto
            {
                Service = Export.Service, Model = Export.Model, ModelVersion = Export.ModelVersion, WindowStart = Stamp(Export.WindowStart),
                WindowEnd = Stamp(Export.WindowEnd), Select = Export.Select, Count = Export.Count, Id = Export.Id,
            },
        };
        return "# obs pointer: the files live in the obs cache and remotes; commit this file to git\n" + Writer.Serialize(dto);
    }

    /// <summary>Parses and checks a pointer; <paramref name="where"/> names it in errors (path, and revision when read from history).</summary>
    public static PointerFile Parse(string text, string where)
    {
        if (text.Length > MaxPointerBytes) throw new DataCheckException($"pointer {where} is larger than {MaxPointerBytes} bytes; not an obs pointer");
        Dto? dto;
        try
        {
            // 64 KB of '[' is still deep enough to overflow the deserializer's stack: depth is checked first, as for every YAML.
            if (Annotations.GuardedYaml.TooDeep(text) is { } deep)
                throw new DataCheckException($"pointer {where} nests deeper than {Annotations.GuardedYaml.MaxDepth} levels (line {deep}); not an obs pointer");
            dto = Reader.Deserialize<Dto>(text);
        }
        catch (YamlException ex)
        {
            throw new DataCheckException($"pointer {where} is not valid YAML (line {ex.Start.Line}): {ex.Message}");
        }
        if (dto is null) throw new DataCheckException($"pointer {where} is empty");
        if (dto.Hash is not null and not "sha256") throw new DataCheckException($"pointer {where} uses hash '{dto.Hash}'; only sha256 is supported");
        if (dto.Path is null) throw new DataCheckException($"pointer {where} has no 'path'");
        RepoPath.EnsureSafeRelative(dto.Path, $"pointer {where}");
        if (!ContentHash.TryParse(dto.Tree, out var tree)) throw new DataCheckException($"pointer {where} has an invalid tree hash '{dto.Tree}'");
        ValidationSummary? validation = null;
        if (dto.Validation is { } v)
        {
            ContentHash? report = null;
            if (v.Report is not null)
            {
                if (!ContentHash.TryParse(v.Report, out var r)) throw new DataCheckException($"pointer {where} has an invalid validation report hash '{v.Report}'");
                report = r;
            }
            validation = new ValidationSummary(v.Errors, v.Warnings, report);
        }
        PointerSource? source = dto.Source is { Repo: not null, Path: not null } s ? new PointerSource(s.Repo, s.Path, s.Rev ?? "HEAD", s.Commit ?? "") : null;
        if (dto.Version is < 1) throw new DataCheckException($"pointer {where} has version {dto.Version}; versions start at 1");
        return new PointerFile(dto.Path, tree, dto.Files, dto.Bytes, validation, source, dto.Version, ParseExport(dto.Export, where));
    }

    // Round-trip UTC text: the block reads back to the same instants on any machine, and re-writing it changes no byte.
    private static string Stamp(DateTimeOffset t) => t.ToUniversalTime().ToString("yyyy-MM-dd'T'HH:mm:ss.FFFFFFF'Z'", CultureInfo.InvariantCulture);

    private static PointerExport? ParseExport(ExportDto? e, string where)
    {
        // An older obs ignores the block; this one ignores a block too incomplete to name its export.
        if (e is not { Service: not null, Model: not null, Id: not null }) return null;
        DateTimeOffset Time(string? text, string key) =>
            DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out var t)
                ? t
                : throw new DataCheckException($"pointer {where} has an invalid export.{key} '{text}'");
        return new PointerExport(e.Service, e.Model, e.ModelVersion, Time(e.WindowStart, "window_start"), Time(e.WindowEnd, "window_end"), e.Select ?? "", e.Count, e.Id);
    }

    private sealed class Dto
    {
        public string? Path { get; set; }
        public string? Hash { get; set; }
        public string? Tree { get; set; }
        public long Files { get; set; }
        public long Bytes { get; set; }
        public ValidationDto? Validation { get; set; }
        public SourceDto? Source { get; set; }
        public int? Version { get; set; }
        public ExportDto? Export { get; set; }
    }

    private sealed class ExportDto
    {
        public string? Service { get; set; }
        public string? Model { get; set; }
        public string? ModelVersion { get; set; }
        public string? WindowStart { get; set; }
        public string? WindowEnd { get; set; }
        public string? Select { get; set; }
        public int Count { get; set; }
        public string? Id { get; set; }
    }

    private sealed class ValidationDto
    {
        public int Errors { get; set; }
        public int Warnings { get; set; }
        public string? Report { get; set; }
    }

    private sealed class SourceDto
    {
        public string? Repo { get; set; }
        public string? Path { get; set; }
        public string? Rev { get; set; }
        public string? Commit { get; set; }
    }
}
