using Observatory.Monitoring.Core.Drift;

namespace Observatory.Monitoring.Core.IO;

/// <summary>Loads a sample matrix from .npy or .csv, chosen by extension.</summary>
public static class MatrixFile
{
    public static DataMatrix Read(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        if (!File.Exists(path)) throw new MatrixFormatException(path, Directory.Exists(path) ? "is a directory, expected a .npy or .csv file" : "file not found");
        return Path.GetExtension(path).ToLowerInvariant() switch
        {
            ".npy" => NpyReader.Read(path),
            ".csv" or ".txt" => CsvMatrixReader.Read(path),
            var ext => throw new MatrixFormatException(path, $"unsupported file type '{ext}'; expected .npy or .csv"),
        };
    }
}
