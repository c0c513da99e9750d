namespace Observatory.Testing;

/// <summary>Finds the repository root (the folder holding Observatory.sln) from the test's output folder.</summary>
public static class RepoLocator
{
    public static string Root { get; } = Find();

    private static string Find()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "Observatory.sln"))) dir = dir.Parent;
        return dir?.FullName ?? throw new InvalidOperationException($"Observatory.sln not found above {AppContext.BaseDirectory}");
    }
}
