using System.Runtime.InteropServices;

namespace Observatory.DataService.Core.Store;

/// <summary>POSIX hard links (no .NET API exists for them); false when the file system cannot link (e.g. across devices).</summary>
public static partial class HardLink
{
    [LibraryImport("libc", EntryPoint = "link", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int Link(string existing, string created);

    public static bool TryCreate(string existing, string created)
    {
        if (OperatingSystem.IsWindows()) return false;
        return Link(existing, created) == 0;
    }
}
