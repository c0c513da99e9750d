namespace Observatory.Monitoring.Core.IO;

/// <summary>A matrix file could not be read: the message names the file and the problem.</summary>
public sealed class MatrixFormatException(string path, string problem, Exception? inner = null)
    : Exception($"{path}: {problem}", inner)
{
    public string Path { get; } = path;
    public string Problem { get; } = problem;
}
