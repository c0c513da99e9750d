namespace Observatory.Dashboard.Components.Pages.DatasetsFeatures;

internal static class DatasetPaths
{
    /// <summary>A path inside <paramref name="dataset"/>, shown without its prefix (the card title names the dataset).</summary>
    public static string Relative(string dataset, string path) =>
        path.StartsWith(dataset + "/", StringComparison.Ordinal) ? path[(dataset.Length + 1)..] : path;
}
