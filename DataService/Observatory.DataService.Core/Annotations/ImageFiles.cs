using Observatory.DataService.Core.Objects;

namespace Observatory.DataService.Core.Annotations;

/// <summary>
/// Which files of a dataset are images — one list for validation, the catalog, embedding and the dashboard — and which of them
/// the embedder can decode (SkiaSharp reads no TIFF), so `obs embed` and the service's reference job select the same files.
/// </summary>
public static class ImageFiles
{
    /// <summary>Extensions (lower case, no dot) treated as images; validation's <c>image_extensions</c> default.</summary>
    public static IReadOnlyList<string> Extensions { get; } = ["jpg", "jpeg", "png", "bmp", "gif", "webp", "tif", "tiff"];

    /// <summary>The images the embedder decodes, in the same form.</summary>
    public static IReadOnlyList<string> Embeddable { get; } = ["jpg", "jpeg", "png", "bmp", "gif", "webp"];

    private static readonly HashSet<string> ImageSet = new(Extensions, StringComparer.OrdinalIgnoreCase);
    private static readonly HashSet<string> EmbeddableSet = new(Embeddable, StringComparer.OrdinalIgnoreCase);

    public static bool IsImage(string path) => ImageSet.Contains(ExtensionOf(path));

    public static bool IsEmbeddable(string path) => EmbeddableSet.Contains(ExtensionOf(path));

    /// <summary>The extension without its dot ("" when there is none).</summary>
    public static string ExtensionOf(string path)
    {
        var slash = path.LastIndexOf('/');
        var dot = path.LastIndexOf('.');
        return dot > slash ? path[(dot + 1)..] : "";
    }

    /// <summary>
    /// The files of a dataset version that are embedded, in embedding order (the tree's ordinal path order): what `obs embed`
    /// writes and what the service's reference job embeds, so the two produce the same rows under the same cache key.
    /// </summary>
    /// <param name="under">Only files below this folder of the dataset (no trailing slash); null for all.</param>
    public static IReadOnlyList<TreeEntry> ToEmbed(TreeObject tree, string? under = null) =>
        tree.Entries.Where(e => IsEmbeddable(e.Path) && (under is null || e.Path.StartsWith(under + "/", StringComparison.Ordinal))).ToList();
}
